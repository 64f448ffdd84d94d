FROM labs-standin/base:bookworm
# pip behaves as in the official image only without Debian's EXTERNALLY-MANAGED marker.
RUN rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
COPY hotqueue.py /usr/local/lib/python3.11/dist-packages/hotqueue.py
COPY hotqueue-0.2.8.dist-info /usr/local/lib/python3.11/dist-packages/hotqueue-0.2.8.dist-info
ENV PYTHONDONTWRITEBYTECODE=1 LANG=C.UTF-8
CMD ["python3"]
