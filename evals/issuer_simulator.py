"""A local issuer simulator: the CHSI online verification report, the CET score query and the national
skill-certificate query on 127.0.0.1, with the request and response shapes of tools/issuers/shapes.py.

Records come from synthetic labels (`credlift synth`'s labels.jsonl), the local issuer table of a data directory,
or are added one by one (the dialogue runner registers the certificates it renders). `state` makes it misbehave
the ways a real issuer does: "down" answers 503, "slow" answers after `slow_s` seconds (past a client's timeout).
Tests start it on an ephemeral port (`with IssuerSimulator() as sim: sim.base_url`); `credlift issuers serve`
runs it in the foreground.
"""
from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Literal

from credlift.errors import UserInputError
from credlift.tools.issuers.shapes import (
    CetRecord, CetScoreAnswer, CetScoreQuery, ChsiRecord, ChsiReportAnswer, ChsiReportQuery, SkillCertificateAnswer,
    SkillCertificateQuery, SkillRecord,
)
from credlift.tools.registry import RegistryEntry, entries_from_labels

SimulatorState = Literal["up", "down", "slow"]


def _key(value: object) -> str:
    return "".join(str(value).split()).upper()


def _int(value: object) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class IssuerBooks:
    """What each simulated issuer has on its books, by the key it is asked with."""

    def __init__(self) -> None:
        self.chsi: dict[str, ChsiRecord] = {}
        self.cet: dict[str, CetRecord] = {}
        self.skill: dict[str, SkillRecord] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.chsi) + len(self.cet) + len(self.skill)

    def add_entry(self, entry: RegistryEntry) -> bool:
        """Registers one certificate with the issuer that answers for it; False when no simulated issuer does."""
        fields = dict(entry.fields)
        number = _key(entry.certificate_number)
        name = entry.holder_name or str(fields.get("holder_name") or "")
        with self._lock:
            if entry.credential_type in ("cet4", "cet6") and _int(fields.get("total_score")) is not None:
                self.cet[number] = CetRecord(
                    certificate_number=number, level=entry.credential_type, holder_name=name,
                    school=str(fields.get("school") or ""), exam_session=str(fields.get("exam_session") or ""),
                    total_score=_int(fields["total_score"]), listening=_int(fields.get("listening")),
                    reading=_int(fields.get("reading")), writing_translation=_int(fields.get("writing_translation")))
                return True
            if entry.credential_type == "vocational":
                self.skill[number] = SkillRecord(
                    certificate_number=number, holder_name=name, occupation=str(fields.get("occupation") or ""),
                    skill_level=str(fields.get("skill_level") or ""), issuer=str(fields.get("issuer") or ""),
                    issue_date=str(fields.get("issue_date") or ""))
                return True
            code = fields.get("verification_code")
            if entry.credential_type in ("graduation", "degree") and code:
                self.chsi[_key(code)] = ChsiRecord(
                    verification_code=_key(code), credential_type=entry.credential_type, holder_name=name,
                    gender=str(fields.get("gender") or ""), birth_date=str(fields.get("birth_date") or ""),
                    school=str(fields.get("school") or ""), level=str(fields.get("level") or ""),
                    degree_level=str(fields.get("degree_level") or ""), major=str(fields.get("major") or ""),
                    certificate_number=number, issue_date=str(fields.get("issue_date") or ""),
                    report_valid_until=str(fields.get("report_valid_until") or ""))
                return True
        return False

    def add_labels(self, labels_path: Path) -> int:
        """Registers every certificate of a synthetic labels.jsonl (a tampered image's genuine fields)."""
        return sum(bool(self.add_entry(entry)) for entry in entries_from_labels(labels_path))

    def clear(self) -> None:
        with self._lock:
            self.chsi.clear(), self.cet.clear(), self.skill.clear()


class IssuerSimulator:
    """The three issuers' queries served by uvicorn in a background thread (or the foreground: `serve_forever`)."""

    def __init__(self, books: IssuerBooks | None = None, host: str = "127.0.0.1", port: int = 0,
                 state: SimulatorState = "up", slow_s: float = 30.0):
        self.books = books if books is not None else IssuerBooks()  # an empty book is falsy (len 0)
        self.host, self.port = host, port
        self.state: SimulatorState = state
        self.slow_s = slow_s
        self.calls: Counter[str] = Counter()  # questions received per issuer (retries included)
        self._server = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._stopping = threading.Event()  # wakes a "slow" answer when the simulator stops

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def app(self):
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse

        app = FastAPI(title="credlift issuer simulator", docs_url=None, redoc_url=None)

        def misbehaving(issuer: str) -> JSONResponse | None:
            self.calls[issuer] += 1
            if self.state == "down":
                return JSONResponse({"detail": "the issuer's service is unavailable"}, status_code=503)
            if self.state == "slow":
                self._stopping.wait(self.slow_s)  # in the server's thread pool: other questions still get in
            return None

        @app.post("/chsi/report", response_model=ChsiReportAnswer)
        def chsi_report(query: ChsiReportQuery):
            record = self.books.chsi.get(_key(query.verification_code))
            return misbehaving("chsi") or ChsiReportAnswer(found=record is not None, record=record)

        @app.post("/cet/score", response_model=CetScoreAnswer)
        def cet_score(query: CetScoreQuery):
            record = self.books.cet.get(_key(query.certificate_number))
            return misbehaving("cet") or CetScoreAnswer(found=record is not None, record=record)

        @app.post("/skill/certificate", response_model=SkillCertificateAnswer)
        def skill_certificate(query: SkillCertificateQuery):
            record = self.books.skill.get(_key(query.certificate_number))
            return misbehaving("skill") or SkillCertificateAnswer(found=record is not None, record=record)

        @app.get("/health")
        def health():
            return {"state": self.state, "records": {"chsi": len(self.books.chsi), "cet": len(self.books.cet),
                                                     "skill": len(self.books.skill)}}

        return app

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as error:
            sock.close()
            raise UserInputError(f"cannot listen on {self.host}:{self.port}: {error.strerror or error}") from None
        self.port = sock.getsockname()[1]
        return sock

    def _make_server(self):
        import uvicorn

        config = uvicorn.Config(self.app(), host=self.host, port=self.port, log_level="warning", lifespan="off",
                                access_log=False)
        return uvicorn.Server(config)

    def start(self, wait_s: float = 60.0) -> str:
        """Starts serving in a background thread; returns the base URL once it accepts connections."""
        self._stopping.clear()
        self._socket = self._bind()
        self._server = self._make_server()
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name="issuer-simulator", daemon=True)
        self._thread.start()
        for _ in range(int(wait_s / 0.05)):  # bounded by count; a safety limit, not a speed expectation
            if self._server.started:
                return self.base_url
            if not self._thread.is_alive():
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("the issuer simulator did not start")

    def serve_forever(self, on_listening=None) -> None:
        """Serves in this thread until interrupted (Ctrl-C or SIGTERM: uvicorn stops cleanly); `on_listening` is
        called with the base URL once the port is bound (port 0 picks a free one)."""
        self._socket = self._bind()
        self._server = self._make_server()
        if on_listening is not None:
            on_listening(self.base_url)
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()
            self._server = self._socket = None

    def stop(self, wait_s: float = 30.0) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=wait_s)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> IssuerSimulator:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
