"""Consistent backups of the database and the uploaded files, and restoring them.

The database is copied first, as one snapshot (SQLite's online backup API; pg_dump's single
transaction on PostgreSQL), then the uploaded files. A file is saved before the row that names
it is committed, so every file the snapshot refers to is in the copy; files that arrived later
are harmless extras. Restore the same way round, with the application stopped.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA = "media.tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on (message in Chinese)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise BackupError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）。"
        )
    return str(candidates[-1])


def _pg_args() -> tuple[list[str], dict[str, str]]:
    conf = connection.settings_dict
    args = ["--dbname", conf["NAME"]]
    if conf.get("HOST"):
        args += ["--host", conf["HOST"]]
    if conf.get("PORT"):
        args += ["--port", str(conf["PORT"])]
    if conf.get("USER"):
        args += ["--username", conf["USER"]]
    env = dict(os.environ)
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = conf["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{result.stderr.strip()[:2000]}")


def create_backup(destination: Path, now: datetime | None = None) -> Path:
    """Write a backup folder under `destination` and return its path."""
    now = timezone.localtime(now or timezone.now())
    folder = Path(destination) / f"sunshine-backup-{now:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    if vendor == "sqlite":
        database = folder / "database.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(database)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    elif vendor == "postgresql":
        database = folder / "database.dump"
        args, env = _pg_args()
        _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(database), *args], env)
    else:
        raise BackupError(f"不支持的数据库：{vendor}")
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname=".")
    applied = MigrationRecorder(connection).applied_migrations()
    manifest = {
        "created_at": now.isoformat(),
        "vendor": vendor,
        "database": database.name,
        "files": {name: _sha256(folder / name) for name in (database.name, MEDIA)},
        "migrations": sorted(f"{app}.{name}" for app, name in applied),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return folder


def restore_backup(folder: Path) -> dict:
    """Put the database and the uploaded files back as they were in the backup."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"不是有效的备份目录：{folder}（{error}）") from None
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"备份来自 {manifest['vendor']} 数据库，不能恢复到 {connection.vendor} 数据库。"
        )
    for name, expected in manifest["files"].items():
        if _sha256(folder / name) != expected:
            raise BackupError(f"备份文件 {name} 校验失败，可能已损坏或被改动。")
    database = folder / manifest["database"]
    if connection.vendor == "sqlite":
        connection.close()
        connection.ensure_connection()
        source = sqlite3.connect(database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        args, env = _pg_args()
        connection.close()
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(database),
            ],
            env,
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        archive.extractall(media_root, filter="data")
    return manifest
