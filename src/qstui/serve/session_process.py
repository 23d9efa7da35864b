"""The ``qstui`` process of one browser session (a textual-serve ``AppService``).

Unlike textual-serve's own, it is started without a shell, from an argument list that
holds no secret: the database URL comes in its environment and the user's credentials
through a pipe (``serve.handoff``). ``end`` asks the application to quit and kills the
process when it does not within ``QUIT_SECONDS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from textual_serve.app_service import AppService

from qstui.serve import handoff

QUIT_SECONDS = 5.0


class SessionProcess(AppService):
    def __init__(
        self,
        argv: Sequence[str],
        environment: Mapping[str, str],
        credentials: handoff.Credentials,
        **kwargs: Any,
    ) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = list(argv)
        self._environment = dict(environment)
        self._credentials: handoff.Credentials | None = credentials

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def task(self) -> asyncio.Task[None] | None:
        """What reads the process's output; done once the process has ended."""
        return self._task

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.update(self._environment)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        assert self._credentials is not None, "a session process is started once"
        environment = self._build_environment(width=width, height=height)
        read_end = handoff.pipe_with(self._credentials)
        self._credentials = None  # the pipe holds them now; the server forgets them
        environment[handoff.ENV] = str(read_end)
        try:
            process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                pass_fds=(read_end,),
            )
        finally:
            os.close(read_end)
        self._process = process
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def end(self) -> None:
        """Quit the application; kill it if it is still running after ``QUIT_SECONDS``."""
        process = self._process
        if process is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.stop(), QUIT_SECONDS)
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(process.wait(), QUIT_SECONDS)
