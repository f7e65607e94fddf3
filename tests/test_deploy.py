"""The systemd unit in deploy/: a dedicated user, restarts, hardening, the real command."""

from __future__ import annotations

import configparser
import shlex
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "backcare-bot.service"

#: Keys the [Service] section must set, and the value each must have ("" for empty).
REQUIRED = {
    "User": "backcare",
    "WorkingDirectory": "/var/lib/backcare-bot",
    "EnvironmentFile": "/etc/backcare-bot/env",
    "Restart": "on-failure",
    "RestartPreventExitStatus": "2 3",
    "KillSignal": "SIGTERM",
    "TimeoutStopSec": "20",
    "NoNewPrivileges": "true",
    "ProtectSystem": "strict",
    "ProtectHome": "true",
    "PrivateTmp": "true",
    "PrivateDevices": "true",
    "ReadWritePaths": "/var/lib/backcare-bot",
    "ProtectKernelTunables": "true",
    "ProtectKernelModules": "true",
    "ProtectKernelLogs": "true",
    "ProtectControlGroups": "true",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "true",
    "LockPersonality": "true",
    "MemoryDenyWriteExecute": "true",
    "SystemCallFilter": "@system-service",
    "CapabilityBoundingSet": "",
    "UMask": "0077",
}


def service() -> configparser.SectionProxy:
    # systemd keys are case-sensitive and may repeat; strict=False keeps the last, as systemd
    # does for these single-valued ones.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    return parser["Service"]


@pytest.mark.parametrize(("key", "value"), [pytest.param(k, v, id=k) for k, v in REQUIRED.items()])
def test_service_sets(key: str, value: str) -> None:
    section = service()
    assert key in section, f"{key}= missing from {UNIT.name}"
    assert section[key] == value


def test_restart_waits_a_little() -> None:
    assert float(service()["RestartSec"].rstrip("s")) > 0


def test_exec_start_runs_the_console_script() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    executable, *args = shlex.split(service()["ExecStart"])
    assert Path(executable).name in scripts
    assert scripts[Path(executable).name] == "bot.cli:main"
    assert args == ["run"]
    assert Path(executable).parent == Path("/opt/backcare-bot/.venv/bin")
