"""The jobs API: POST /jobs submits a job, GET /jobs lists them, GET /jobs/<jid> shows one."""
from flask import Flask, jsonify, request

from jobs import add_job, get_job_by_id

app = Flask(__name__)


@app.route("/jobs", methods=["POST"])
def submit_job():
    # TODO: read request.get_json(); without "start" and "end", answer 400 with a message.
    # Otherwise answer with jsonify(add_job(start, end)).
    return jsonify({"error": "not written yet"}), 501


# TODO: GET /jobs lists the job ids; GET /jobs/<jid> returns the job, or 404 with a message.


if __name__ == "__main__":
    # TODO: listen on every address of the container (host="0.0.0.0"), port 5000.
    app.run(port=5000)
