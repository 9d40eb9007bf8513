"""Old and foreign office formats (.doc, .wps, .odt, .rtf, .xls, .et, .ods) → .docx / .xlsx by
headless LibreOffice, so that one reader (officeinput.py) handles every Word and Excel file.

LibreOffice is called with an argument list (no shell), in its own process group, with a timeout
(a hung conversion is killed, group and all, and reported) and with a fresh user profile per call:
two conversions sharing a profile block each other on its lock file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .errors import ConversionTimeout, CorruptInput, MissingDependency

#: Seconds a conversion may take before LibreOffice is killed. Measured on this 2-core machine
#: (LibreOffice 7.4, cold profile each call): a 3-page .doc takes 2-4 s, a 2-sheet .xls 2-3 s;
#: ten times the slowest leaves room for a loaded machine, and a hang costs one minute.
SOFFICE_TIMEOUT_S = 60.0
#: Environment variable naming the LibreOffice program (default: `soffice` on the PATH).
SOFFICE_ENV = "PIPELINE_SOFFICE"
#: Output format by target: LibreOffice's filter for it.
FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML", "pdf": "pdf"}
#: How many characters of LibreOffice's own output a failure message quotes.
MESSAGE_CHARS = 200


def soffice_program() -> str:
    """The LibreOffice program, or MissingDependency saying how to install it."""
    named = os.environ.get(SOFFICE_ENV)
    found = shutil.which(named) if named else (shutil.which("soffice") or shutil.which("libreoffice"))
    if not found:
        raise MissingDependency(named or "soffice", "LibreOffice is needed to read .doc/.wps/.odt/.rtf/.xls/.et "
                                "files: `make system-deps` (apt packages libreoffice-writer-nogui, "
                                "libreoffice-calc-nogui)")
    return found


def convert(path: Path, target: str, out_dir: Path, timeout: float | None = None) -> Path:
    """`path` converted to `target` (docx, xlsx, pdf) in `out_dir`; raises ConversionTimeout when
    LibreOffice does not finish in time, CorruptInput when it could not open the file."""
    program = soffice_program()
    timeout = SOFFICE_TIMEOUT_S if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="pipeline-lo-profile-") as profile:
        args = [program, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--convert-to", FILTERS[target], "--outdir", str(out_dir), str(path)]
        # Its own process group: soffice is a launcher that starts soffice.bin, which a plain kill
        # of the launcher would leave running.
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionTimeout(str(path), f"LibreOffice did not finish converting it in {timeout:g} s "
                                    "and was stopped; open it in Word/WPS and save it as .docx/.xlsx") from None
    produced = out_dir / f"{path.stem}.{target}"
    if proc.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
        said = " ".join((err or out).decode("utf-8", "replace").split())[:MESSAGE_CHARS]
        raise CorruptInput(str(path), "LibreOffice could not open it (damaged, password-protected or not "
                           f"a {path.suffix.lstrip('.') or 'office'} file){': ' + said if said else ''}")
    return produced


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the conversion's process group (launcher and soffice.bin) and reap the launcher."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()
