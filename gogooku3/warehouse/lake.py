"""Where an export goes: a local folder or an S3-compatible bucket, through pyarrow's filesystems.

An S3 destination (``s3://bucket/prefix``) is configured the standard way: ``AWS_ENDPOINT_URL`` (or
``AWS_ENDPOINT_URL_S3``) for MinIO, R2 and other S3-compatible servers, ``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` (or any source of the AWS default credential chain) and ``AWS_REGION``.
No message this module produces carries a credential.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pyarrow import fs

#: environment variables whose values never appear in a message
SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN")


class DestinationError(RuntimeError):
    """The destination cannot be used (unreachable, refused, or holding files of something else)."""


def redact(text: str) -> str:
    """``text`` with the value of every credential variable replaced by ``***``."""
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return text


@dataclass(frozen=True)
class Destination:
    """A folder of a filesystem: ``root`` is its path there (``bucket/prefix`` on S3)."""

    filesystem: fs.FileSystem
    root: str
    uri: str  # how messages name it: the local path or the s3:// URI, never a credential

    @property
    def is_local(self) -> bool:
        return isinstance(self.filesystem, fs.LocalFileSystem)

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}" if relative else self.root

    def check(self) -> None:
        """Fail early, before any work, when the bucket does not exist or cannot be seen."""
        if self.is_local:
            return
        bucket = self.root.split("/")[0]
        try:
            kind = self.filesystem.get_file_info(bucket).type
        except OSError as exc:
            raise DestinationError(f"cannot reach {self.uri}: {redact(str(exc))}") from None
        if kind != fs.FileType.Directory:
            raise DestinationError(f"bucket {bucket!r} does not exist, or these credentials cannot see it")

    def files(self) -> list[str]:
        """Every file below the root, as paths relative to it (an absent root has none)."""
        try:
            infos = self.filesystem.get_file_info(fs.FileSelector(self.root, recursive=True, allow_not_found=True))
        except OSError as exc:
            raise DestinationError(f"cannot list {self.uri}: {redact(str(exc))}") from None
        prefix = self.root.rstrip("/") + "/"
        return sorted(i.path[len(prefix) :] for i in infos if i.type == fs.FileType.File)

    def read_text(self, relative: str) -> str | None:
        """A file's text, or None when it does not exist."""
        try:
            if self.filesystem.get_file_info(self.path(relative)).type != fs.FileType.File:
                return None
            with self.filesystem.open_input_stream(self.path(relative)) as stream:
                return stream.read().decode()
        except OSError as exc:
            raise DestinationError(f"cannot read {self.uri}/{relative}: {redact(str(exc))}") from None

    def put(self, relative: str, data: bytes) -> None:
        """Write a file whole. A local file appears complete or not at all (written aside, renamed);
        an S3 object is, by the protocol."""
        target = self.path(relative)
        try:
            if self.is_local:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                aside = Path(target).parent / f".{Path(target).name}.{uuid.uuid4().hex}.partial"
                try:
                    aside.write_bytes(data)
                    os.replace(aside, target)
                finally:
                    aside.unlink(missing_ok=True)
            else:
                with self.filesystem.open_output_stream(target) as stream:
                    stream.write(data)
        except OSError as exc:
            raise DestinationError(f"cannot write {self.uri}/{relative}: {redact(str(exc))}") from None

    def delete(self, relative: str) -> None:
        try:
            self.filesystem.delete_file(self.path(relative))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DestinationError(f"cannot delete {self.uri}/{relative}: {redact(str(exc))}") from None


def s3_filesystem() -> fs.S3FileSystem:
    """pyarrow's S3 filesystem as the AWS environment variables configure it."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    options: dict[str, object] = {"region": region}
    if endpoint:
        options["endpoint_override"] = endpoint
        options["scheme"] = urlsplit(endpoint).scheme or "https"
    key, secret = os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        options.update(access_key=key, secret_key=secret, session_token=os.environ.get("AWS_SESSION_TOKEN"))
    return fs.S3FileSystem(**options)


def open_destination(target: str | Path) -> Destination:
    """A local folder (a path) or an S3 prefix (``s3://bucket/prefix``)."""
    text = str(target)
    if text.startswith("s3://"):
        parts = urlsplit(text)
        if not parts.netloc:
            raise DestinationError(f"{text}: name a bucket, as in s3://bucket/prefix")
        root = f"{parts.netloc}/{parts.path.strip('/')}".rstrip("/")
        return Destination(s3_filesystem(), root, f"s3://{root}")
    if "://" in text:
        raise DestinationError(f"{text}: an export goes to a local folder or to s3://bucket/prefix")
    path = Path(text).expanduser().resolve()
    return Destination(fs.LocalFileSystem(), path.as_posix(), str(path))
