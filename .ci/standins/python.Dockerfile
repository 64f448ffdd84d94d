FROM labs-standin/base:bookworm
# pip behaves as in the official image only without Debian's EXTERNALLY-MANAGED marker.
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
# Flask for the jobs-api lab, from Debian (2.2.2 in bookworm): no PyPI on the build machines.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-flask >/dev/null \
  && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
COPY hotqueue.py /usr/local/lib/python3.11/dist-packages/hotqueue.py
COPY hotqueue-0.2.8.dist-info /usr/local/lib/python3.11/dist-packages/hotqueue-0.2.8.dist-info
ENV PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8
CMD ["python3"]
