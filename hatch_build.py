"""The wheel ships the spelling pass's tables compiled: a hatchling build hook (pyproject.toml, [tool.hatch.build]).

Without it the first build on a new machine compiles every table into the user's cache folder (about
5 s of CPU, 8 s of its edit stage on a busy machine). When the wheel is built (``pip install .``, from
the source tree or an sdist), the hook runs ``editorial/lexicon.py``'s own ``read_all`` in a process
of its own, its cache folder pointed at a temporary one, and ships every table it compiled there as
``bookforge/editorial/tables/``: the same files, under the same names (their keys), that a build would
have compiled. A build uses a shipped table only when its key is the one the running code computes
(the source's bytes, TABLE_FORMAT, the byte order, the libraries' versions), so a wheel built with
other versions than those installed beside it is only slower at its first build, never wrong.

The libraries the tables are compiled with and from (``MADE_WITH``) are installed for the build with
the version ranges the project requires at run time, so the build resolves the versions an install
does. An editable install (``pip install -e .``) imports bookforge from ``src/``, where no tables are:
it compiles them into the cache at its first build, as a source checkout does. If the compiling fails,
the wheel is built without tables, with a warning: the install still works, its first build is slower.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LEXICON = Path("src", "bookforge", "editorial", "lexicon.py")
SHIPPED = "bookforge/editorial/tables"  # lexicon.SHIPPED inside the wheel
MADE_WITH = ("marisa-trie", "wordfreq", "codespell", "symspellpy")  # what lexicon's tables are compiled with and from

# lexicon.py read as a file: importing it as bookforge.editorial.lexicon would import the editorial package, and with
# it pydantic, which the tables do not need.  ``read_all`` compiles every table into the cache folder it names.
COMPILE = """\
import importlib.util, sys
spec = importlib.util.spec_from_file_location("lexicon", sys.argv[1])
lexicon = sys.modules["lexicon"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lexicon)
lexicon.read_all()
print(lexicon.cache_folder())
"""


class CustomBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        """The project's own requirements on the libraries the tables are made with (marisa-trie) and from."""
        return [text for text in self.metadata.core.dependencies
                if canonicalize_name(Requirement(text).name) in MADE_WITH]

    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":
            return  # bookforge is imported from src/, not from the wheel: the first build compiles the tables
        self.folder = Path(tempfile.mkdtemp(prefix="bookforge-tables-"))
        for table in self._compile():
            build_data["force_include"][str(table)] = f"{SHIPPED}/{table.name}"

    def _compile(self) -> list[Path]:
        """Every table ``lexicon.read_all`` reads, compiled afresh from the shipped dictionaries (not a
        BOOKFORGE_HUNSPELL folder) into a temporary cache folder; none if compiling fails."""
        env = {name: value for name, value in os.environ.items() if name != "BOOKFORGE_HUNSPELL"}
        env["XDG_CACHE_HOME"] = str(self.folder)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(self.root, "src")), os.environ.get("PYTHONPATH")]))
        run = subprocess.run([sys.executable, "-c", COMPILE, str(Path(self.root, LEXICON))], env=env,
                             capture_output=True, text=True)
        if run.returncode != 0:
            said = run.stderr.strip().splitlines() or [f"exit status {run.returncode}"]
            self.app.display_warning("bookforge: the spelling tables could not be compiled, so the wheel ships none "
                                     f"and the first build compiles them into the user's cache: {said[-1]}")
            return []
        return sorted(Path(run.stdout.splitlines()[-1]).glob("*.marisa"))  # the cache folder, printed last

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if version != "editable":
            shutil.rmtree(self.folder, ignore_errors=True)
