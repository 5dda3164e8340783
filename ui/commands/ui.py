"""`credlift ui`: the web app (applicant chat + helpdesk console) on localhost."""
from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command("ui")
    def ui(host: str = typer.Option(None, "--host", help="address to listen on (default: settings ui_host, 127.0.0.1)"),
           port: int = typer.Option(None, "--port", help="port (default: settings ui_port, 7860)")) -> None:
        """Serve the web app: applicant chat and helpdesk console, with named API endpoints for gradio_client."""
        import os

        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
        from credlift.errors import UserInputError
        from credlift.settings import get_settings

        settings = get_settings()
        chosen_port = port if port is not None else settings.ui_port
        if not 0 < chosen_port < 65536:
            raise UserInputError(f"--port must be between 1 and 65535, not {chosen_port}")
        address = host or settings.ui_host
        _refuse_demo_secrets_beyond_localhost(address, settings)
        _check_can_listen(address, chosen_port)  # before the models load: a taken port fails in a second
        from credlift.ui.app import serve

        settings.ensure_dirs()
        typer.echo(f"credlift web app on http://{address}:{chosen_port} (Ctrl+C to stop)")
        try:
            serve(host=host, port=chosen_port, settings=settings)
        except OSError as error:  # lost a race for the port
            raise UserInputError(f"cannot listen on {address}:{chosen_port} ({error.strerror or error})") from None


def _refuse_demo_secrets_beyond_localhost(host: str, settings) -> None:
    """Demo passwords and secrets are for a laptop: listening on any other address with them is refused."""
    import ipaddress

    from credlift.crypto import demo_secrets_in_use
    from credlift.errors import UserInputError

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    found = demo_secrets_in_use(settings)
    if not loopback and found:
        raise UserInputError(f"refusing to listen on {host} with demo secrets ({'; '.join(found)}); set "
                             "CREDLIFT_STAFF_USERS (and CREDLIFT_SESSION_SECRET) first, or listen on 127.0.0.1")


def _check_can_listen(host: str, port: int) -> None:
    import socket

    from credlift.errors import UserInputError

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise UserInputError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
