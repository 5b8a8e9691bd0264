"""What a user brings to the playground and takes away: their own data as CSV, and model files.

**CSV upload** (``data_from_csv``): a header row, then one sample per row with
two numeric feature columns (x₁, x₂) and a label column (the last, or the one
``label_column`` names), and optionally a column ``part`` holding ``train`` or
``test`` (without it the rows are split at ``test_fraction``, stratified by
class, from the session's seed). The header and row checks are
``bprop.datasets``' own (``tabular.table_of_rows``, ``tabular.encode_labels``);
the labels are

    classification   integers or names, 2 … MAX_CLASSES distinct values (``task`` "auto" reads
                     them so when they are all whole numbers or not numbers at all)
    regression       real numbers (``task`` "auto" reads them so when one of them is not whole)

At most ``data.MAX_POINTS`` rows; every number finite and within ±``data.MAX_COORDINATE``.
The request body carries the CSV as a JSON string (the server takes only
JSON), at most ``MAX_UPLOAD`` bytes (``guard`` refuses longer before reading).

**Model files** are bprop's own (``bprop.storage.modelfile``: arrays and a
JSON header, never a pickle). ``model_bytes`` saves the session's network with
the feature map in its metadata (``metadata["playground"]["features"]``), so
that a program can feed it the same columns (``bprop.playground.features.transform``).
``network_from_upload`` reads an uploaded one with ``modelfile.load``, the
loader that treats every file as hostile, and refuses it unless its inputs are
the session's features and its outputs fit the session's data.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import numbers
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..datasets import tabular
from ..datasets.split import split_indices
from ..errors import DataError, InvalidArgument, ModelFileError
from ..storage import modelfile
from . import data as session_data
from . import features as feature_map
from .settings import (
    ACTIVATIONS,
    COSTS,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    OUTPUTS,
    SettingError,
    check_regression,
)

MAX_UPLOAD = 1 << 20  # bytes of one upload request (a CSV of 2,000 rows is ~60 KB; a playground model ~20 KB)
MAX_CLASSES = 10  # distinct labels of an uploaded classification set
CSV_KEYS = ("csv", "task", "test_fraction", "label_column")
WHERE = "the uploaded CSV"
FILENAME = "playground.bprop"


# -- CSV ------------------------------------------------------------------------------------


def data_from_csv(body, settings) -> tuple[session_data.Data, object, list]:
    """(the data, the settings to train it with, notes on what changed in them) from {csv, task?, test_fraction?, label_column?}."""
    if not isinstance(body, dict) or not isinstance(body.get("csv"), str):
        raise SettingError(
            "csv",
            'send {"csv": "x1,x2,label\\n0.5,1.2,0\\n…"}: the CSV text as a JSON string.',
            zh='请发送 {"csv": "x1,x2,label\\n0.5,1.2,0\\n…"}：CSV 文本作为 JSON 字符串。',
        )
    unknown = [key for key in body if key not in CSV_KEYS]
    if unknown:
        raise SettingError(
            unknown[0],
            f"{unknown[0]!r} is not known here; use some of {', '.join(CSV_KEYS)}.",
            zh=f"这里不认识 {unknown[0]!r}；可用的有 {'、'.join(CSV_KEYS)}。",
        )
    task = body.get("task", "auto")
    if task not in ("auto", *session_data.TASKS):
        raise SettingError(
            "task",
            f"task={task!r} is not known; use auto, classification or regression.",
            zh=f"不认识 task={task!r}；请用 auto、classification 或 regression。",
        )
    test_fraction = body.get("test_fraction", settings.test_fraction)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) or not 0 < test_fraction < 1:
        raise SettingError(
            "test_fraction",
            f"test_fraction={test_fraction!r} must be a number between 0 and 1.",
            zh=f"test_fraction={test_fraction!r} 须为 0 到 1 之间的数。",
        )
    label_column = body.get("label_column")
    if label_column is not None and not isinstance(label_column, str):
        raise SettingError(
            "label_column",
            f"label_column must be a column name, got {label_column!r}.",
            zh=f"label_column 须为列名，收到的是 {label_column!r}。",
        )
    try:
        X, labels, parts = _table(body["csv"], label_column)
        task, y, names = _labels(labels, task)
    except DataError as error:  # a check of bprop.datasets' own that the playground's did not make first
        raise SettingError("csv", str(error), zh=f"无法读取上传的 CSV。{CSV_FORMAT_ZH}") from None
    except InvalidArgument as error:  # a label_column that is not a column
        raise SettingError("label_column", str(error), zh="label_column 不是上传的 CSV 中的列名。") from None
    if parts is None:
        train, test = split_indices(
            y if task == "classification" else np.zeros(len(y), np.int64), test_fraction, settings.seed
        )
    else:
        train, test = np.flatnonzero(parts == "train"), np.flatnonzero(parts == "test")
        if not len(train) or not len(test):
            raise SettingError(
                "csv",
                f"{WHERE}: the part column needs at least one train row and one test row.",
                zh="上传的 CSV：part 列至少需要一行 train 和一行 test。",
            )
    if task == "regression":
        y = y[:, None]
    data = session_data.uploaded(
        {"train": X[train], "test": X[test]}, {"train": y[train], "test": y[test]}, task, names
    )
    return (data, *_fitted_settings(settings, task, len(train)))


CSV_FORMAT_ZH = "需要一个表头行，然后每行一个样本：x1、x2 两列数值特征和一列标签（类别或目标值）。"


def _refused(en, zh) -> SettingError:
    """A refusal of the uploaded CSV, in English and Chinese."""
    return SettingError("csv", en, zh=zh)


def _table(text, label_column) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(X (m, 2), labels (m,) str, parts (m,) str or None), every cell checked.

    The playground checks the shape, the numbers and the labels itself first, so
    that each refusal can be worded in both languages; ``bprop.datasets`` then
    reads the rows with its own checks.
    """
    most = session_data.MAX_POINTS
    if text.count("\n") > most + 100:  # before parsing: blank lines are allowed, not 100s of rows
        raise _refused(
            f"{WHERE} has more than {most} rows; the playground takes at most that many.",
            f"上传的 CSV 超过 {most} 行；演示最多接受这么多行。",
        )
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    except csv.Error as e:
        raise _refused(f"{WHERE} cannot be read as CSV ({e}).", f"上传的文件无法按 CSV 读取（{e}）。") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise _refused(
            f"{WHERE} is empty; it needs a header row and one row per sample.", f"上传的 CSV 是空的。{CSV_FORMAT_ZH}"
        )
    parts = None
    header = [h.strip().lower() for h in rows[0]]
    _check_field_counts(rows, len(header))
    if "part" in header:  # taken out here; the other columns go through bprop.datasets' checks
        at = header.index("part")
        parts = np.array([r[at].strip().lower() for r in rows[1:]], dtype=str)
        rows = [r[:at] + r[at + 1 :] for r in rows]
    if len(rows[0]) != 3:
        names = ", ".join(repr(h.strip()) for h in rows[0])
        raise _refused(
            f"{WHERE} has {len(rows[0])} columns ({names}); it needs 3: x1, x2 and the label "
            "(and optionally a column part with train or test).",
            f"上传的 CSV 有 {len(rows[0])} 列（{names}）；需要 3 列：x1、x2 和标签"
            "（可另加一列 part，填 train 或 test）。",
        )
    if len(rows) - 1 > most:
        raise _refused(
            f"{WHERE} has {len(rows) - 1} rows; the playground takes at most {most}.",
            f"上传的 CSV 有 {len(rows) - 1} 行；演示最多接受 {most} 行。",
        )
    if len(rows) == 1:
        raise _refused(
            f"{WHERE} has a header but no data rows; add one row per sample.",
            f"上传的 CSV 只有表头，没有数据行。{CSV_FORMAT_ZH}",
        )
    if len(rows) - 1 < 2:
        raise _refused(
            f"{WHERE} has {len(rows) - 1} data rows; it needs at least 2 (one to train on, one to test).",
            f"上传的 CSV 只有 {len(rows) - 1} 行数据；至少需要 2 行（一行训练，一行测试）。",
        )
    if label_column is None:
        _check_cells(rows)
    X, labels = tabular.table_of_rows(rows, WHERE, label_column=label_column)
    _check_numbers(X, "feature")
    if parts is not None and not np.isin(parts, ("train", "test")).all():
        i = int(np.argmin(np.isin(parts, ("train", "test"))))
        raise _refused(
            f"{WHERE}: data row {i + 1} has part {str(parts[i])!r}; use train or test.",
            f"上传的 CSV：第 {i + 1} 行数据的 part 是 {str(parts[i])!r}；请填 train 或 test。",
        )
    return X, labels, parts


def _check_field_counts(rows, n) -> None:
    """Every data row has one field per header column."""
    for i, r in enumerate(rows[1:], start=1):
        if len(r) != n:
            raise _refused(
                f"{WHERE}: data row {i} has {len(r)} fields but the header has {n}; "
                "every row needs one value per column.",
                f"上传的 CSV：第 {i} 行数据有 {len(r)} 个字段，而表头有 {n} 列；每行的每一列都需要一个值。",
            )


def _check_cells(rows) -> None:
    """The two feature cells of every data row are numbers and its label (the last cell) is not empty."""
    header = [h.strip() for h in rows[0]]
    for i, r in enumerate(rows[1:], start=1):
        for col in (0, 1):
            if not _is_number(r[col]):
                raise _refused(
                    f"{WHERE}: data row {i}, column {header[col]!r} holds {r[col].strip()!r}, which is not a "
                    "number; x1 and x2 must be numbers (the label goes in the last column).",
                    f"上传的 CSV：第 {i} 行数据的 {header[col]!r} 列是 {r[col].strip()!r}，不是数；"
                    "x1 和 x2 必须是数（标签放在最后一列）。",
                )
        if not r[2].strip():
            raise _refused(
                f"{WHERE}: data row {i} has an empty label; every sample needs a class or a target.",
                f"上传的 CSV：第 {i} 行数据的标签是空的；每个样本都需要一个类别或目标值。",
            )


def _labels(labels, task) -> tuple[str, np.ndarray, list | None]:
    """(task, y, class names): classes 0 … K−1 (int64) or targets (float64)."""
    try:
        numbers_ = labels.astype(np.float64)
    except ValueError:
        numbers_ = None
    if task == "auto":
        whole = numbers_ is None or (np.isfinite(numbers_).all() and (numbers_ == np.round(numbers_)).all())
        task = "classification" if whole else "regression"
    if task == "regression":
        if numbers_ is None:
            i = next(i for i, text in enumerate(labels) if not _is_number(text))
            raise _refused(
                f"{WHERE}: data row {i + 1} has the label {str(labels[i])!r}, which is not a number; "
                "regression targets must be numbers (or send task classification).",
                f"上传的 CSV：第 {i + 1} 行数据的标签 {str(labels[i])!r} 不是数；回归的目标值必须是数。",
            )
        _check_numbers(numbers_[:, None], "target")
        return task, numbers_, None
    if len(np.unique(labels)) < 2:
        raise _refused(
            f"{WHERE}: every label is {str(labels[0])!r}; classification needs at least 2 classes.",
            f"上传的 CSV：所有标签都是 {str(labels[0])!r}；分类至少需要 2 个类别。",
        )
    y, names = tabular.encode_labels(labels, WHERE)
    if len(names) > MAX_CLASSES:
        raise _refused(
            f"{WHERE} has {len(names)} distinct labels; the playground classifies at most {MAX_CLASSES} "
            "(for real-valued targets, send task regression).",
            f"上传的 CSV 有 {len(names)} 种不同的标签；演示最多分 {MAX_CLASSES} 类（实数目标值按回归处理）。",
        )
    return task, y, names


def _check_numbers(values, what) -> None:
    bad = ~np.isfinite(values) | (np.abs(values) > session_data.MAX_COORDINATE)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        most = f"{session_data.MAX_COORDINATE:g}"
        what_zh = {"feature": "特征", "target": "目标值"}[what]
        raise _refused(
            f"{WHERE}: data row {row + 1} has the {what} {values[row, col]} (column {col + 1}); every number must be "
            f"finite and within ±{most} — remove or fill in that row.",
            f"上传的 CSV：第 {row + 1} 行数据的{what_zh}是 {values[row, col]}（第 {col + 1} 列）；"
            f"每个数都必须有限且在 ±{most} 之内——请删除或补全这一行。",
        )


def _is_number(text) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fitted_settings(settings, task, m_train) -> tuple[object, list]:
    """The session's settings adjusted to the data: a regression cost and output, a batch that fits."""
    changes, notes = {}, []
    if task == "regression":
        try:
            check_regression(settings.output, settings.cost, "the uploaded targets are real numbers")
        except SettingError:
            changes.update(output="identity", cost="quadratic")
            notes.append("the targets are real numbers: output identity and cost quadratic now (regression)")
    if settings.batch_size > m_train:
        changes["batch_size"] = m_train
        notes.append(f"batch size {m_train}: the training set has {m_train} samples")
    return replace(settings, **changes), notes


# -- model files ---------------------------------------------------------------------------------


def model_bytes(session) -> bytes:
    """The session's network as a bprop model file (``bprop.load`` reads it), with the feature map in its metadata."""
    s = session.settings
    metadata = {
        "playground": {
            "features": list(s.features),
            "feature_labels": feature_map.labels(s.features),
            "task": session.task,
            "class_names": session.data.class_names,
            "settings": s.to_dict(),
            "batches": session.batches,
            "data_source": session.data.source,
        }
    }
    with tempfile.TemporaryDirectory(prefix="bprop-playground-") as folder:
        path = modelfile.save(session.net, Path(folder) / FILENAME, metadata=metadata)
        return path.read_bytes()


def network_from_upload(session, body):
    """(network, settings) from {"model": base64 of a model file}, or SettingError naming what does not fit."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str) or set(body) != {"model"}:
        raise SettingError(
            "model",
            'send {"model": "<the model file, base64>"} (a data: URL is accepted too).',
            zh='请发送 {"model": "<模型文件的 base64>"}（也接受 data: URL）。',
        )
    text = body["model"]
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SettingError(
            "model",
            "the model is not valid base64; send the file's bytes base64-encoded.",
            zh="模型不是有效的 base64；请发送以 base64 编码的文件内容。",
        ) from None
    with tempfile.TemporaryDirectory(prefix="bprop-playground-") as folder:
        path = Path(folder) / FILENAME
        path.write_bytes(raw)
        try:
            net = modelfile.load(path)
        except ModelFileError as error:
            raise SettingError(
                "model",
                str(error).replace(str(path), "the uploaded model file"),
                zh="上传的文件不是 bprop 能读取的模型文件（或已损坏）；请导入由 bprop 或本演示导出的模型文件。",
            ) from None
    return net.copy("float64"), _settings_for(session, net)


def _settings_for(session, net):
    """The session's settings describing ``net``, or SettingError when the network does not fit the session."""
    s = session.settings
    sizes = list(net.sizes)
    names = {key: getattr(getattr(net, key), "name", None) for key in ("output", "cost")}
    sigmas = [getattr(sigma, "name", None) for sigma in net.hidden_activations]  # one per hidden layer
    kept = (net.metadata or {}).get("playground", {})
    trained_on = kept.get("features") if isinstance(kept, dict) else None
    if isinstance(trained_on, list) and trained_on != list(s.features):
        raise SettingError(
            "model",
            f"the model was trained on the features {', '.join(map(str, trained_on))}; this session feeds "
            f"{', '.join(s.features)}. Choose the model's features, then import it again.",
            zh=f"该模型是用特征 {'、'.join(map(str, trained_on))} 训练的；本会话输入的是 {'、'.join(s.features)}。"
            "请先选择该模型的特征，再重新导入。",
        )
    if sizes[0] != len(s.features):
        labels = feature_map.labels(s.features)
        raise SettingError(
            "model",
            f"the model takes {sizes[0]} inputs, but this session feeds {len(s.features)} features "
            f"({', '.join(labels)}); choose {sizes[0]} features, then import it again.",
            zh=f"该模型有 {sizes[0]} 个输入，而本会话输入 {len(s.features)} 个特征（{'、'.join(labels)}）；"
            f"请选择 {sizes[0]} 个特征，再重新导入。",
        )
    named = [(f"activation[{i}]" if len(sigmas) > 1 else "activation", n, ACTIVATIONS) for i, n in enumerate(sigmas)]
    for key, name, allowed in (*named, ("output", names["output"], OUTPUTS), ("cost", names["cost"], COSTS)):
        if name not in allowed:
            raise SettingError(
                "model",
                f"the model's {key} is {name!r}; the playground trains {', '.join(allowed)}.",
                zh=f"该模型的 {key} 是 {name!r}；演示只训练 {'、'.join(allowed)}。",
            )
    hidden = sizes[1:-1]
    if len(hidden) > MAX_HIDDEN_LAYERS or any(n > MAX_WIDTH for n in hidden):
        raise SettingError(
            "model",
            f"the model's hidden layers are {hidden}; the playground draws at most {MAX_HIDDEN_LAYERS} "
            f"hidden layers of at most {MAX_WIDTH} neurons.",
            zh=f"该模型的隐藏层是 {hidden}；演示最多画 {MAX_HIDDEN_LAYERS} 个隐藏层，每层最多 {MAX_WIDTH} 个神经元。",
        )
    if session.task == "regression":
        check_regression(names["output"], names["cost"], "this session's data is a regression set")
        outputs, what, what_zh = 1, "one real target", "一个实数目标值"
    else:
        outputs = session.classes if (names["output"] == "softmax" or session.classes > 2) else 1
        what = f"{session.classes} classes with output {names['output']}"
        what_zh = f"{session.classes} 个类别，输出层 {names['output']}"
    if sizes[-1] != outputs:
        raise SettingError(
            "model",
            f"the model has {sizes[-1]} outputs, but this session's data needs {outputs} ({what}); "
            "import a model trained on data like this session's.",
            zh=f"该模型有 {sizes[-1]} 个输出，而本会话的数据需要 {outputs} 个（{what_zh}）；"
            "请导入在类似数据上训练的模型。",
        )
    activation = sigmas[0] if len(set(sigmas)) == 1 else sigmas  # settings.hidden_sigmas' rule
    return replace(s, hidden=hidden, activation=activation, output=names["output"], cost=names["cost"])
