FROM labs-standin/base:bookworm
COPY node_modules /usr/local/lib/node_modules
ENV NODE_PATH=/usr/local/lib/node_modules LANG=C.UTF-8
CMD ["node"]
