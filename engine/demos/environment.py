"""Demos on the development environment (syllabus 5-4): the software stacks of host-based,
hypervisor-based and container-based virtualisation, Docker's build cache, CMD versus
ENTRYPOINT, and what survives a container (volumes).

These are small, deterministic models of the documented behaviour of Docker and of the
virtualisation types, computed at call time from the inputs: no container is started.
"""

from __future__ import annotations

import hashlib
import shlex

from engine.demos.registry import BoolParam, ChoiceParam, DemoResult, IntParam, Plot, demo

SYLLABUS_ENV = ("5-4 環境構築",)


# --- virtualisation ---------------------------------------------------------------------------------


@demo(
    "env-virtualization-stack",
    title="ホスト型・ハイパーバイザー型・コンテナ型の仮想化",
    description=(
        "物理マシンの上に n 個のアプリケーションを分離して動かすとき、それぞれの方式で"
        "ソフトウェアの層がどう積み上がるかを組み立て、動いている OS カーネルの数を数える。"
    ),
    syllabus=SYLLABUS_ENV,
    params=(
        ChoiceParam(
            "kind", "container", choices=("host", "hypervisor", "container"), help="仮想化の方式"
        ),
        IntParam("apps", 3, min=1, max=20, help="分離して動かすアプリケーションの数"),
        BoolParam("gpu", False, help="GPU を使う（NVIDIA のドライバとコンテナツールキット）"),
    ),
)
def virtualization_stack(kind: str, apps: int, gpu: bool) -> DemoResult:
    layers = ["ハードウェア" + ("（GPU を含む）" if gpu else "")]
    per_app: list[str]
    if kind == "host":
        layers += [
            "ホスト OS（カーネル）" + (" + GPU ドライバ" if gpu else ""),
            "仮想化ソフトウェア（ホスト OS 上のアプリ）",
        ]
        per_app = ["ゲスト OS（カーネル）", "ライブラリ", "アプリ"]
        kernels = 1 + apps
    elif kind == "hypervisor":
        layers += ["ハイパーバイザー（ハードウェアの上で直接動く）"]
        per_app = [
            "ゲスト OS（カーネル）" + (" + GPU ドライバ（パススルー）" if gpu else ""),
            "ライブラリ",
            "アプリ",
        ]
        kernels = apps
    else:
        layers += [
            "ホスト OS（カーネル）" + (" + GPU ドライバ" if gpu else ""),
            "コンテナエンジン（Docker）" + (" + NVIDIA Container Toolkit" if gpu else ""),
        ]
        per_app = ["ライブラリ" + ("（CUDA ランタイムなど）" if gpu else ""), "アプリ"]
        kernels = 1
    guest_os = apps if kind in ("host", "hypervisor") else 0
    stack = layers + [f"{part} × {apps}" for part in per_app]
    names = {"host": "ホスト型", "hypervisor": "ハイパーバイザー型", "container": "コンテナ型"}
    narrative = "\n".join(
        [
            f"**{names[kind]}** でアプリを {apps} 個動かす。下から順に：",
            "",
            *[f"{i + 1}. {layer}" for i, layer in enumerate(stack)],
            "",
            f"動いている OS カーネル（ホスト OS とゲスト OS のもの。ハイパーバイザー自体は数えない）は **{kernels}** 個、ゲスト OS は {guest_os} 個。",
            "",
            "コンテナはホスト OS のカーネルを共有し、プロセスとして分離される（ゲスト OS を起動しない）ので"
            "軽く速く起動するが、ホストと異なるカーネル（例：Linux 上の Windows）は動かせない。"
            "ハイパーバイザー型はホスト OS を介さないぶんホスト型よりオーバーヘッドが小さい。",
        ]
    )
    return DemoResult(
        values={
            "layers": stack,
            "kernels": kernels,
            "guest_os": guest_os,
            "shares_host_kernel": kind == "container",
            "has_host_os": kind in ("host", "container"),
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="動いている OS カーネルの数",
                x=["kernels"],
                series={names[kind]: [kernels]},
            )
        ],
    )


# --- the build cache ------------------------------------------------------------------------------------

FILES = {
    "v1": {"requirements.txt": "numpy==1.26\n", "app.py": "print('hello')\n"},
}

DOCKERFILES = {
    "deps_first": [
        "FROM python:3.11-slim",
        "WORKDIR /app",
        "COPY requirements.txt .",
        "RUN pip install -r requirements.txt",
        "COPY . .",
        'CMD ["python", "app.py"]',
    ],
    "copy_all_first": [
        "FROM python:3.11-slim",
        "WORKDIR /app",
        "COPY . .",
        "RUN pip install -r requirements.txt",
        'CMD ["python", "app.py"]',
    ],
}

CHANGES = ("nothing", "source_code", "requirements", "base_image", "cmd")


def _files(change: str) -> dict[str, str]:
    files = dict(FILES["v1"])
    if change == "source_code":
        files["app.py"] = "print('hello, world')\n"
    if change == "requirements":
        files["requirements.txt"] = "numpy==1.26\nscipy==1.13\n"
    return files


def _instructions(order: str, change: str) -> list[str]:
    lines = list(DOCKERFILES[order])
    if change == "base_image":
        lines[0] = "FROM python:3.12-slim"
    if change == "cmd":
        lines[-1] = 'CMD ["python", "app.py", "--verbose"]'
    return lines


def build_cache_keys(instructions: list[str], files: dict[str, str], base_digest: str) -> list[str]:
    """The cache key of every step: a hash of the previous step's key, the instruction text
    and, for COPY, the contents of the files it copies (as Docker checks file checksums).
    A step is reused only if its key was seen before, so a change rebuilds that step and
    every later one."""
    keys = []
    parent = base_digest
    for line in instructions:
        digest = hashlib.sha256()
        digest.update(parent.encode())
        digest.update(line.encode())
        if line.startswith("COPY"):
            source = line.split()[1]
            for name in sorted(files) if source == "." else [source]:
                digest.update(name.encode() + b"\0" + files[name].encode())
        parent = digest.hexdigest()
        keys.append(parent)
    return keys


@demo(
    "docker-layer-cache",
    title="Dockerfile のビルドキャッシュ：どの層が作り直されるか",
    description=(
        "Dockerfile を 1 回ビルドしたあと、ファイルや命令を 1 か所変えて再ビルドする。各命令のキャッシュキー"
        "（直前の層のキー・命令の文字列・COPY するファイルの中身のハッシュ）を計算し、作り直される命令を求める。"
    ),
    syllabus=SYLLABUS_ENV,
    params=(
        ChoiceParam("order", "deps_first", choices=tuple(DOCKERFILES), help="Dockerfile の書き方"),
        ChoiceParam(
            "change", "source_code", choices=CHANGES, help="2 回目のビルドの前に変えたもの"
        ),
    ),
)
def layer_cache(order: str, change: str) -> DemoResult:
    base = "sha256:python-base"
    first = build_cache_keys(_instructions(order, "nothing"), _files("nothing"), base)
    second_lines = _instructions(order, change)
    second = build_cache_keys(second_lines, _files(change), base)
    cached = set(first)
    rebuilt = [i + 1 for i, key in enumerate(second) if key not in cached]
    pip_step = next(i + 1 for i, line in enumerate(second_lines) if line.startswith("RUN pip"))
    narrative = "\n".join(
        [
            f"Dockerfile（{order}）を一度ビルドしたあと、{change} を変えて再ビルドした：",
            "",
            *[
                f"{i + 1}. `{line}` → {'**作り直し**' if i + 1 in rebuilt else 'キャッシュを使用'}"
                for i, line in enumerate(second_lines)
            ],
            "",
            "ある命令のキャッシュが使えなくなると、それ以降の命令はすべて作り直しになる。変更の少ないもの"
            "（依存ライブラリのインストール）を前に、よく変わるもの（ソースコードの COPY）を後ろに書くと、"
            "ソースを変えても pip install をやり直さずに済む。",
        ]
    )
    return DemoResult(
        values={
            "instructions": second_lines,
            "rebuilt_steps": rebuilt,
            "rebuilt_count": len(rebuilt),
            "cached_count": len(second_lines) - len(rebuilt),
            "pip_install_rebuilt": pip_step in rebuilt,
        },
        narrative=narrative,
        plots=[
            Plot(
                kind="bar",
                title="作り直された命令（1 = 作り直し）",
                x=[f"{i + 1}" for i in range(len(second_lines))],
                series={
                    "rebuilt": [1 if i + 1 in rebuilt else 0 for i in range(len(second_lines))]
                },
            )
        ],
    )


# --- CMD and ENTRYPOINT ----------------------------------------------------------------------------------

ENTRYPOINTS = {
    "none": None,
    "exec_python": ["python"],  # ENTRYPOINT ["python"]
    "shell_python": "python",  # ENTRYPOINT python
}
CMDS = {
    "none": None,
    "exec_app": ["app.py"],  # CMD ["app.py"]
    "exec_full": ["python", "app.py"],  # CMD ["python", "app.py"]
    "shell_full": "python app.py",  # CMD python app.py
}
RUN_ARGS = {"none": [], "test_py": ["test.py"], "bash": ["bash"]}


def container_command(entrypoint, cmd, run_args: list[str]) -> list[str]:
    """The argv a container starts with, by Docker's rules:

    - ENTRYPOINT in exec form: ENTRYPOINT + (the arguments of ``docker run IMAGE ARGS…`` if
      given, else CMD — CMD only supplies default arguments);
    - ENTRYPOINT in shell form: /bin/sh -c "ENTRYPOINT"; CMD and the run arguments are ignored;
    - no ENTRYPOINT: the run arguments replace CMD; with neither there is nothing to run.
    A shell-form CMD or ENTRYPOINT (a string) runs as /bin/sh -c "…".
    """

    def as_argv(value):
        return ["/bin/sh", "-c", value] if isinstance(value, str) else list(value)

    if isinstance(entrypoint, str):
        return as_argv(entrypoint)
    arguments = run_args or (as_argv(cmd) if cmd is not None else [])
    return (list(entrypoint) if entrypoint else []) + arguments


@demo(
    "docker-cmd-entrypoint",
    title="CMD と ENTRYPOINT：コンテナが実行するコマンド",
    description=(
        "Dockerfile の ENTRYPOINT と CMD、docker run に渡した引数から、コンテナが起動時に実行する"
        "コマンドを Docker の規則どおりに組み立てる。"
    ),
    syllabus=SYLLABUS_ENV,
    params=(
        ChoiceParam(
            "entrypoint",
            "exec_python",
            choices=tuple(ENTRYPOINTS),
            help='ENTRYPOINT（exec_python: ["python"]、shell_python: python）',
        ),
        ChoiceParam(
            "cmd",
            "exec_app",
            choices=tuple(CMDS),
            help='CMD（exec_app: ["app.py"]、exec_full: ["python", "app.py"]、shell_full: python app.py）',
        ),
        ChoiceParam(
            "run_args",
            "none",
            choices=tuple(RUN_ARGS),
            help="docker run IMAGE の後ろに付けた引数（test_py: test.py）",
        ),
    ),
)
def cmd_entrypoint(entrypoint: str, cmd: str, run_args: str) -> DemoResult:
    ep, command, args = ENTRYPOINTS[entrypoint], CMDS[cmd], RUN_ARGS[run_args]
    argv = container_command(ep, command, args)

    def show(value):
        if value is None:
            return "（なし）"
        return value if isinstance(value, str) else "[" + ", ".join(f'"{v}"' for v in value) + "]"

    narrative = "\n".join(
        [
            f"- ENTRYPOINT: {show(ep)}",
            f"- CMD: {show(command)}",
            f"- docker run の引数: {' '.join(args) or '（なし）'}",
            "",
            f"実行されるコマンド: **{shlex.join(argv) if argv else '（なし：起動できない）'}**",
            "",
            "docker run の引数は CMD を置き換える。ENTRYPOINT（exec 形式）は置き換わらず、CMD や引数がその後ろに付く"
            "（変えるには --entrypoint）。シェル形式の ENTRYPOINT は CMD も引数も無視する。",
        ]
    )
    return DemoResult(
        values={
            "argv": argv,
            "command": shlex.join(argv),
            "cmd_used": bool(command is not None and not args and not isinstance(ep, str)),
        },
        narrative=narrative,
    )


# --- storage ---------------------------------------------------------------------------------------------------


@demo(
    "docker-volume-persistence",
    title="コンテナの書き込みとボリューム",
    description=(
        "コンテナ A が 2 つのファイルを書く（1 つはコンテナ内の /app/cache、1 つは /data）。"
        "コンテナ A を削除し、同じイメージからコンテナ B を起動したとき、どのファイルが残っているかを調べる。"
    ),
    syllabus=SYLLABUS_ENV,
    params=(
        ChoiceParam(
            "mount", "volume", choices=("none", "volume", "bind"), help="/data に何をマウントしたか"
        ),
    ),
)
def volume_persistence(mount: str) -> DemoResult:
    image_layers = {"/app/app.py": "image"}  # read-only layers shared by every container
    named_volume: dict[str, str] = {}  # managed by Docker, outlives containers
    host_directory: dict[str, str] = {}  # a directory of the host, for a bind mount

    def storage_for(path: str, writable_layer: dict[str, str]) -> dict[str, str]:
        if path.startswith("/data/") and mount == "volume":
            return named_volume
        if path.startswith("/data/") and mount == "bind":
            return host_directory
        return writable_layer  # copy-on-write layer of this container only

    layer_a: dict[str, str] = {}
    for path in ("/app/cache/tmp.bin", "/data/model.ckpt"):
        storage_for(path, layer_a)[path] = "written by A"
    del layer_a  # docker rm A: its writable layer goes with it
    layer_b: dict[str, str] = {}
    visible = {**image_layers, **layer_b, **named_volume, **host_directory}
    survived = sorted(p for p in visible if visible[p] == "written by A")
    narrative = "\n".join(
        [
            f"/data のマウント: **{mount}**。コンテナ A が書いたファイルのうち、A を削除してから起動した B に見えるもの：",
            "",
            f"- {', '.join(survived) if survived else '（なし）'}",
            "",
            "コンテナ内への書き込みはそのコンテナ専用の書き込み可能な層（コピーオンライト）に入り、コンテナを削除すると消える。"
            "残したいデータ（学習済みモデル、データセット）はボリュームかバインドマウントに書く。イメージの層は読み取り専用。",
        ]
    )
    return DemoResult(
        values={
            "survived": survived,
            "checkpoint_survives": "/data/model.ckpt" in survived,
            "cache_survives": "/app/cache/tmp.bin" in survived,
        },
        narrative=narrative,
    )
