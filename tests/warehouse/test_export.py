"""`gogooku3 export` to a local folder and to a real S3-compatible server (moto's, on 127.0.0.1):
the export reads back equal to ml_dataset with Polars, PyArrow and DuckDB; a new day or a code
redone rewrites only the partitions it touches; a stopped export leaves the previous one readable;
a folder of someone else's files is refused and kept; credentials appear nowhere."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as pads
import pytest
from pyarrow import fs as pafs

from gogooku3.warehouse import export as export_module
from gogooku3.warehouse.export import export_datasets
from gogooku3.warehouse.lake import Destination, DestinationError, open_destination
from tests.dbt.runner import ROOT

SECRET = "s3cr3t-never-printed-9f1c"
KEY_ID = "gogooku3-test-key-id"


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free local port, with one bucket."""
    server_module = pytest.importorskip("moto.server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    pafs.S3FileSystem(
        endpoint_override=endpoint,
        scheme="http",
        region="us-east-1",
        access_key=KEY_ID,
        secret_key=SECRET,
        allow_bucket_creation=True,
    ).create_dir("lake")
    yield endpoint
    server.stop()


@pytest.fixture()
def s3_env(s3_server, monkeypatch):
    env = {
        "AWS_ENDPOINT_URL": s3_server,
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_REGION": "us-east-1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture(params=["local", "s3"])
def destination(request, tmp_path) -> str:
    if request.param == "local":
        return str(tmp_path / "lake")
    request.getfixturevalue("s3_env")
    return f"s3://lake/{request.node.name.replace('[', '-').rstrip(']')}"


def copy_of(built, tmp_path: Path) -> Path:
    """A writable copy of the built warehouse (same file name: dbt's views name the catalog)."""
    db, _, _ = built
    copy = tmp_path / "copy" / db.name
    copy.parent.mkdir()
    shutil.copy(db, copy)
    return copy


def content(db: Path, dataset: str = "ml_dataset") -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(f"select count(*), sum(hash(t)) from main.{dataset} as t").fetchone()
    finally:
        con.close()


def content_of_arrow(table) -> tuple[int, int]:
    con = duckdb.connect()
    con.register("exported", table)
    return con.execute(
        "select count(*), sum(hash(t)) from (select * exclude (year, month) from exported) as t"
    ).fetchone()


def content_of_folder(folder: Path) -> tuple[int, int]:
    """What DuckDB reads from a folder of Hive partitions."""
    return (
        duckdb.connect()
        .execute(
            f"select count(*), sum(hash(t)) from (select * exclude (year, month) from "
            f"read_parquet('{folder}/**/*.parquet', hive_partitioning = true)) as t"
        )
        .fetchone()
    )


def manifest_files(dest: str, manifest: dict, dataset: str = "ml_dataset") -> list[str]:
    return [f"{dest.removeprefix('s3://')}/{f['path']}" for f in manifest["datasets"][dataset]["files"]]


def read_back(dest: str, manifest: dict, dataset: str = "ml_dataset") -> tuple[int, int]:
    d = open_destination(dest)
    table = pads.dataset(manifest_files(dest, manifest, dataset), filesystem=d.filesystem, partitioning="hive")
    return content_of_arrow(table.to_table())


def test_local_export_reads_back_with_polars_pyarrow_and_duckdb(built, tmp_path):
    db, _, _ = built
    out = tmp_path / "lake"
    manifest = export_datasets(db, out, ROOT, datasets=("ml_dataset", "ml_dataset_enriched"))
    expected = content(db)
    folder = out / "ml_dataset"
    assert content_of_arrow(pl.scan_parquet(folder, hive_partitioning=True).collect().to_arrow()) == expected
    assert content_of_arrow(pads.dataset(folder, partitioning="hive").to_table()) == expected
    assert content_of_folder(folder) == expected
    assert read_back(str(out), manifest, "ml_dataset_enriched") == content(db, "ml_dataset_enriched")
    # the manifest sits beside the datasets, named so that readers skip it, and describes the export
    on_disk = json.loads((out / "_manifest.json").read_text())
    assert on_disk == manifest and not (folder / "_manifest.json").exists()
    dataset = manifest["datasets"]["ml_dataset"]
    assert dataset["rows"] == expected[0] == sum(f["rows"] for f in dataset["files"])
    assert manifest["dbt_invocation_id"] and len(manifest["git_commit"] or "x" * 40) == 40
    assert {t["name"] for t in dataset["targets"]} >= {"target_1d", "target_20d", "target_1d_binary"}
    assert len(dataset["features"]) >= 62
    # the same warehouse gives the same bytes; exported again, nothing changes
    again = export_datasets(db, out, ROOT, datasets=("ml_dataset", "ml_dataset_enriched"))
    assert again["changes"]["written"] == [] and again["changes"]["deleted"] == []
    assert again["datasets"]["ml_dataset"]["content_sha256"] == dataset["content_sha256"]
    elsewhere = export_datasets(db, tmp_path / "other", ROOT)
    assert elsewhere["datasets"]["ml_dataset"]["content_sha256"] == dataset["content_sha256"]
    assert len(list((out / "_exports").iterdir())) == 2


def test_a_new_day_or_a_redone_code_rewrites_only_its_partitions(built, tmp_path, destination):
    db = copy_of(built, tmp_path)
    con = duckdb.connect(str(db))
    last_day, months = con.execute(
        "select max(date), count(distinct date_trunc('month', date)) from ml_dataset"
    ).fetchone()
    con.execute(f"create table main.last_day as select * from ml_dataset where date = '{last_day}'")
    con.execute(f"delete from ml_dataset where date = '{last_day}'")
    con.close()
    first = export_datasets(db, destination, ROOT)
    assert len(first["changes"]["written"]) == months and read_back(destination, first) == content(db)

    # a new day: its month's partition is rewritten, the superseded file deleted, nothing else touched
    con = duckdb.connect(str(db))
    con.execute("insert into ml_dataset select * from main.last_day")
    con.close()
    second = export_datasets(db, destination, ROOT)
    month = f"year={last_day.year}/month={last_day.month}/"
    assert [p.split("/part-")[0] + "/" for p in second["changes"]["written"]] == [f"ml_dataset/{month}"]
    assert len(second["changes"]["deleted"]) == 1 and month in second["changes"]["deleted"][0]
    assert second["changes"]["unchanged"] == months - 1
    assert read_back(destination, second) == content(db)
    listed = open_destination(destination).files()
    assert sorted(p for p in listed if p.startswith("ml_dataset/")) == sorted(
        f["path"] for f in second["datasets"]["ml_dataset"]["files"]
    )

    # a code recomputed whole (a split restated its history): the months it has rows in
    con = duckdb.connect(str(db))
    code, code_months = con.execute(
        "select code, count(distinct date_trunc('month', date)) from ml_dataset group by code order by 2, code limit 1"
    ).fetchone()
    con.execute(f"update ml_dataset set close = close * 2 where code = '{code}'")
    con.close()
    third = export_datasets(db, destination, ROOT)
    assert len(third["changes"]["written"]) == code_months < months
    assert read_back(destination, third) == content(db)


def test_a_stopped_export_leaves_the_previous_one_readable(built, tmp_path, destination, monkeypatch):
    db = copy_of(built, tmp_path)
    first = export_datasets(db, destination, ROOT)
    before = read_back(destination, first)
    con = duckdb.connect(str(db))
    con.execute("update ml_dataset set volume = volume + 1")  # every partition changes
    con.close()

    calls = {"n": 0}
    real_put = Destination.put

    def put_then_fail(self, relative, data):
        calls["n"] += 1
        if calls["n"] == 3:
            raise DestinationError("connection lost (planted)")
        return real_put(self, relative, data)

    monkeypatch.setattr(Destination, "put", put_then_fail)
    with pytest.raises(DestinationError, match="planted"):
        export_datasets(db, destination, ROOT)
    monkeypatch.setattr(Destination, "put", real_put)
    dest = open_destination(destination)
    assert json.loads(dest.read_text("_manifest.json")) == first
    assert read_back(destination, first) == before  # every file it names is still there

    # the next export completes and removes what the stopped one wrote
    done = export_datasets(db, destination, ROOT)
    assert read_back(destination, done) == content(db) != before
    named = {f["path"] for f in done["datasets"]["ml_dataset"]["files"]}
    assert {p for p in dest.files() if p.startswith("ml_dataset/")} == named


def test_a_folder_of_other_files_is_refused_and_kept(built, tmp_path):
    db, _, _ = built
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "important.txt").write_text("keep me")
    with pytest.raises(DestinationError, match="no gogooku3 export wrote"):
        export_datasets(db, foreign, ROOT)
    assert (foreign / "important.txt").read_text() == "keep me"
    # a file someone adds to an export's folder is never deleted
    out = tmp_path / "lake"
    export_datasets(db, out, ROOT)
    (out / "notes.txt").write_text("mine")
    export_datasets(db, out, ROOT)
    assert (out / "notes.txt").read_text() == "mine"


def test_s3_export_reads_back_with_polars_pyarrow_and_duckdb(built, tmp_path, s3_env):
    db, _, _ = built
    manifest = export_datasets(db, "s3://lake/readers", ROOT)
    expected = content(db)
    options = {
        "aws_endpoint_url": s3_env["AWS_ENDPOINT_URL"],
        "aws_access_key_id": KEY_ID,
        "aws_secret_access_key": SECRET,
        "aws_region": "us-east-1",
        "aws_allow_http": "true",
    }
    frame = pl.scan_parquet(
        "s3://lake/readers/ml_dataset/**/*.parquet", storage_options=options, hive_partitioning=True
    )
    assert content_of_arrow(frame.collect().to_arrow()) == expected
    s3 = open_destination("s3://lake/readers").filesystem
    assert (
        content_of_arrow(pads.dataset("lake/readers/ml_dataset", filesystem=s3, partitioning="hive").to_table())
        == expected
    )
    mirror = tmp_path / "mirror"  # DuckDB's httpfs cannot be downloaded here: DuckDB reads a local mirror
    pafs.copy_files("lake/readers", str(mirror), source_filesystem=s3, destination_filesystem=pafs.LocalFileSystem())
    assert content_of_folder(mirror / "ml_dataset") == expected
    text = (mirror / "_manifest.json").read_text()
    assert json.loads(text) == manifest and SECRET not in text and KEY_ID not in text


def test_credentials_never_appear_in_output(built, s3_env):
    db, _, _ = built
    env = {**os.environ, **s3_env, "GOGOOKU3_DUCKDB": str(db)}
    for target in ("s3://no-such-bucket/x", "s3://lake/cli"):
        out = subprocess.run(
            [sys.executable, "-m", "gogooku3", "export", "--to", target],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert SECRET not in out.stdout + out.stderr and KEY_ID not in out.stdout + out.stderr
        if target == "s3://lake/cli":
            assert out.returncode == 0, out.stdout + out.stderr
        else:
            assert out.returncode == 2 and "no-such-bucket" in out.stdout + out.stderr


def test_export_explains_a_missing_warehouse(tmp_path):
    with pytest.raises(FileNotFoundError, match="gogooku3 ingest"):
        export_datasets(tmp_path / "none.duckdb", tmp_path / "out", ROOT)
    with pytest.raises(DestinationError, match="local folder or to s3://"):
        open_destination("gs://bucket/x")
    assert export_module.MANIFEST.startswith("_")
