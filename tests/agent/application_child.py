"""Child process for the durability tests: starts an application and reports progress line by line
(the test kills it with SIGKILL in the middle). Usage: application_child.py THREAD ACCOUNT IMAGE"""
import sys
from pathlib import Path

from credlift.agent.service import CredliftService

thread_id, account_id, image = sys.argv[1], sys.argv[2], Path(sys.argv[3])
service = CredliftService()
service.start(account_id, lang="zh", thread_id=thread_id)
print("STARTED", flush=True)
service.send(thread_id, "你好，我想提额")
service.upload(thread_id, [("cert.jpg", image.read_bytes())], on_progress=lambda line: print("PROGRESS", line, flush=True))
print("DONE", flush=True)
