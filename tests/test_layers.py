"""Apps depend one way: youthtrack <- programmes <- outcomes (pyproject.toml,
``[tool.importlinter]``; CI runs ``lint-imports``). These tests show the contracts
hold for the code as it is, and that they bite when a lower app imports a higher one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["youthtrack", "programmes", "outcomes"]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
        cwd=project,
        # The copy's packages first, before the installed project's.
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """The three apps and the contracts, copied to a temporary directory."""
    for app in APPS:
        shutil.copytree(
            ROOT / app,
            tmp_path / app,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.html"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_apps_keep_their_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imports", "broken"),
    [
        ("youthtrack/upward.py", "from programmes import models", 2),
        ("youthtrack/upward.py", "import outcomes.models", 2),
        ("programmes/upward.py", "from outcomes import models", 1),
    ],
)
def test_a_lower_app_importing_a_higher_one_breaks_the_contracts(
    project_copy, module, imports, broken
):
    assert lint_imports(project_copy).returncode == 0  # the copy as it is: kept
    (project_copy / module).write_text(f"{imports}  # upward\n")
    result = lint_imports(project_copy)
    assert result.returncode != 0
    assert f"{broken} broken" in result.stdout, result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout


def test_a_higher_app_may_import_a_lower_one(project_copy):
    (project_copy / "outcomes" / "downward.py").write_text(
        "from programmes import models\nfrom youthtrack import models as core\n"
    )
    result = lint_imports(project_copy)
    assert result.returncode == 0, result.stdout
