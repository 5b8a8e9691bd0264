"""``bprop data list|show|fetch``: the data sets, where each is found, pictures of their samples.

Three commands of the ``data`` group; ``app.py`` registers them under their
names (``list``, ``show``, ``fetch``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .terminal import console


def data_list(data_dir: Annotated[str | None, typer.Option()] = None):
    """The data sets, where each is found, and their sizes."""
    from .. import datasets

    table = Table()
    for column in ("name", "available", "train", "test", "features", "classes", "source"):
        table.add_column(column, no_wrap=column == "name", overflow="fold")
    infos = datasets.list_datasets(data_dir)
    for info in infos:
        table.add_row(
            info.name,
            "yes" if info.available else "no",
            str(info.n_train),
            str(info.n_test),
            str(info.n_features),
            str(info.n_classes),
            info.source,
        )
    console.print(table)
    for info in infos:
        if not info.available:
            console.print(f"{info.name}: {info.hint}", soft_wrap=True)


def data_show(
    name: Annotated[str, typer.Argument(help="A data set name or a .csv/.npz file.")],
    data_dir: Annotated[str | None, typer.Option()] = None,
    out: Annotated[Path | None, typer.Option(help="PNG path (default: NAME-samples.png).")] = None,
    seed: Annotated[int, typer.Option()] = 0,
):
    """A PNG grid of samples with their labels."""
    from .. import datasets, plots

    data = datasets.load(name, data_dir=data_dir, seed=seed)
    path = out or Path(f"{Path(name).stem}-samples.png")
    plots.sample_grid(
        data.X_train,
        data.y_train,
        path,
        image_shape=data.image_shape,
        class_names=list(data.class_names),
        title=f"{name}: training samples",
    )
    console.print(f"wrote {path}", markup=False, soft_wrap=True)


def data_fetch(
    name: Annotated[str, typer.Argument(help="mnist or fashion-mnist.")],
    data_dir: Annotated[str | None, typer.Option(help="Root folder; files go to DATA_DIR/NAME.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Another mirror holding the four .gz files.")] = None,
):
    """Download the four IDX files, checksum-verified, resumable, written atomically."""
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from .. import datasets

    with Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(), console=console) as bar:
        tasks = {}

        def progress(filename, done, total):
            if filename not in tasks:
                tasks[filename] = bar.add_task(filename, total=total or None)
            bar.update(tasks[filename], completed=done, total=total or None)

        folder = datasets.fetch(name, data_dir, base_url=base_url, progress=progress)
    console.print(f"{name} is in {folder}", markup=False, soft_wrap=True)
