"""The jobs API: POST /jobs submits a job, GET /jobs lists them, GET /jobs/<jid> shows one."""
from flask import Flask, jsonify, request

import jobs

app = Flask(__name__)


@app.route("/jobs", methods=["POST"])
def submit_job():
    params = request.get_json(silent=True)
    if not isinstance(params, dict) or "start" not in params or "end" not in params:
        return jsonify({"error": 'send a JSON object with "start" and "end", e.g. {"start": 1, "end": 5}'}), 400
    job = jobs._instantiate_job(jobs._generate_jid(), "submitted", params["start"], params["end"])
    jobs._save_job(job)
    jobs._queue_job(job["id"])
    return jsonify(job), 201


@app.route("/jobs", methods=["GET"])
def list_jobs():
    return jsonify(jobs.list_job_ids())


@app.route("/jobs/<jid>", methods=["GET"])
def get_job(jid):
    job = jobs.get_job_by_id(jid)
    if job is None:
        return jsonify({"error": f"no job {jid}"}), 404
    return jsonify(job)


if __name__ == "__main__":
    # 0.0.0.0: every address of the container, so that the port published by the compose file
    # (and anything else on the network) reaches the API; 127.0.0.1 would be the container's own.
    app.run(host="0.0.0.0", port=5000)
