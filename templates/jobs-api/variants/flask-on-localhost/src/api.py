"""The jobs API: POST /jobs submits a job, GET /jobs lists them, GET /jobs/<jid> shows one."""
from flask import Flask, jsonify, request

from jobs import add_job, get_job_by_id, list_job_ids

app = Flask(__name__)


@app.route("/jobs", methods=["POST"])
def submit_job():
    params = request.get_json(silent=True)
    if not isinstance(params, dict) or "start" not in params or "end" not in params:
        return jsonify({"error": 'send a JSON object with "start" and "end", e.g. {"start": 1, "end": 5}'}), 400
    return jsonify(add_job(params["start"], params["end"])), 201


@app.route("/jobs", methods=["GET"])
def list_jobs():
    return jsonify(list_job_ids())


@app.route("/jobs/<jid>", methods=["GET"])
def get_job(jid):
    job = get_job_by_id(jid)
    if job is None:
        return jsonify({"error": f"no job {jid}"}), 404
    return jsonify(job)


if __name__ == "__main__":
    # 0.0.0.0: every address of the container, so that the port published by the compose file
    # (and anything else on the network) reaches the API; 127.0.0.1 would be the container's own.
    app.run(port=5000)
