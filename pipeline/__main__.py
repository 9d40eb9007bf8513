"""The command line: `python -m pipeline run|diff|apply`. The only place that turns errors into
messages and exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import NotADraft, PipelineError
from .ingest import DRAFT_SUFFIXES
from .settings import DEFAULT_LEXICON, ENGINES, Settings

#: diff(1)'s exit status for trouble, whatever went wrong.
DIFF_TROUBLE = 2


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=ENGINES,
                        help="OCR engine (default: rapid, PP-OCRv6 tiny with v6 small for unsure lines)")
    parser.add_argument("--dpi", type=int, help="resolution to rasterize PDFs at, and the least one page images "
                        "are read at: a scan below it is scaled up (default 200)")
    parser.add_argument("--workers", type=int, help="parallel page workers (default: one per core)")
    parser.add_argument("--max-pages", type=int, dest="max_pages", help="refuse PDFs with more pages (default 200)")
    parser.add_argument("--lexicon", type=Path, default=DEFAULT_LEXICON,
                        help="a lexicon file added to the shipped agency_lexicon.txt (same format)")
    parser.add_argument("--lexicon-only", action="store_true", dest="lexicon_only", default=None,
                        help="use the --lexicon file alone, without the shipped base")
    parser.add_argument("--district", help="the drafts' Shanghai district (松江区) when their titles do not "
                                           "name it: district-scoped agency names apply only there")
    parser.add_argument("--previous", type=Path, metavar="OLD.csv",
                        help="an earlier clean CSV of the same document: its titles and agencies are the "
                             "draft's known ones")
    parser.add_argument("--profile", type=Path, help="table profile: column roles and their header synonyms "
                                                     "(default: pipeline/table_profile.toml)")
    parser.add_argument("--first-is-lead", action="store_true", dest="first_is_lead", default=None,
                        help="split a single 责任单位 column: its first agency leads, the others support "
                             "(on by itself where the draft says 列第一位的为牵头单位)")


def _settings(args: argparse.Namespace) -> Settings:
    profile = str(args.profile.resolve()) if args.profile else None
    if profile:
        from .profile import load_profile

        load_profile(Path(profile))  # a bad profile fails here, once, not on every draft
    previous = getattr(args, "previous", None)
    if previous is not None and not previous.is_file():
        raise NotADraft(str(previous), "no such file (--previous)")
    return Settings.resolve(engine=args.engine, dpi=args.dpi, workers=args.workers, max_pages=args.max_pages,
                            profile=profile, first_is_lead=args.first_is_lead, district=args.district,
                            previous=str(previous.resolve()) if previous else None,
                            lexicon_only=args.lexicon_only)


def lexicon_for(lexicon_path: Path, settings: Settings, previous: Any = None):  # -> Lexicon
    """The lexicon a run uses: the shipped base plus `lexicon_path` (or it alone with --lexicon-only),
    plus the earlier version (`previous` table, else settings.previous read as a clean CSV)."""
    from .lexicon import load_lexicons
    from .tableio import read_table_csv

    lexicon = load_lexicons(DEFAULT_LEXICON, lexicon_path, settings.lexicon_only)
    if previous is None and settings.previous:
        previous = read_table_csv(Path(settings.previous))
    return lexicon.with_previous(previous) if previous is not None else lexicon


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="Turn scanned 职责分工 drafts into clean responsibility-matrix data.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="process drafts (PDF, PNG/JPEG/TIFF, text extraction, or folders)",
                              description="Process drafts into DIR/<stem>.csv, .long.csv, .matrix.csv, "
                                          ".review.csv. Folders are processed file by file; a bad file is "
                                          "reported and the batch goes on; exit status 0 when all succeeded.")
    run.add_argument("inputs", nargs="+", type=Path,
                     help="draft files or folders of drafts: PDF, PNG/JPEG/TIFF, Word/WPS (.docx .doc .wps .odt "
                          ".rtf: tables, or a plan's inline duties), Excel (.xlsx .xls .et .ods), text "
                          "extractions (.txt .tsv, tab- or comma-separated, UTF-8/GBK/UTF-16)")
    run.add_argument("--out", type=Path, default=Path("corrected"), help="output folder (default corrected/)")
    run.add_argument("--force", action="store_true", help="process drafts whose outputs are up to date too")
    run.add_argument("--debug", type=Path, metavar="DIR", help="also write each page with its grid drawn")
    run.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    run.add_argument("-v", "--verbose", action="store_true", help="print stage timings and tracebacks")
    run.add_argument("--cluster", metavar="ADDRESS",
                     help="read the pages as tasks on the Dask cluster whose scheduler is at ADDRESS "
                          "(tcp://host:8786; workers must see the drafts at the same paths), or 'local' "
                          "for a LocalCluster of --workers processes here (default: a process pool)")
    _add_settings_options(run)

    diff = commands.add_parser("diff", help="what changed between two versions of a draft",
                               description="Compare two drafts (anything `run` takes, or clean CSVs written "
                                           "by `run`). Items are matched by content, so renumbering shows as "
                                           "renumbering. Writes DIR/changes.csv and DIR/diff.html and prints a "
                                           "report. Exit status as diff(1): 0 same, 1 different, 2 trouble.")
    diff.add_argument("old", type=Path, help="the earlier draft or its clean CSV")
    diff.add_argument("new", type=Path, help="the later draft or its clean CSV")
    diff.add_argument("--out", type=Path, default=Path("diff_out"), help="output folder (default diff_out/)")
    diff.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the report")
    _add_settings_options(diff)

    apply = commands.add_parser("apply", help="apply a clerk's corrections to a processed draft",
                                description="Redo a draft's run (recorded in DIR/<stem>.run.json) and rewrite "
                                            "every output with the corrections applied. CORRECTIONS is the "
                                            "draft's review CSV with final_text edited, or a cell_id,text CSV.")
    apply.add_argument("out_dir", type=Path, help="the folder `run` wrote the draft's outputs to")
    apply.add_argument("corrections", type=Path, help="edited <stem>.review.csv, or a cell_id,text CSV")
    apply.add_argument("--stem", help="which draft in the folder (default: from the corrections file's name, "
                                      "or the only draft there)")
    apply.add_argument("--learn", action="store_true",
                       help="add what the clerk wrote that the lexicon lacks to it: agency names and aliases "
                            "(to the draft's district), titles (to the draft's document); a backup is kept")

    lexicon = commands.add_parser("lexicon", help="check a lexicon file",
                                  description="Validate a lexicon file (with the shipped base unless --only) and "
                                              "list conflicts. Exit 0 clean, 1 conflicts listed, 8 malformed.")
    lexicon_commands = lexicon.add_subparsers(dest="lexicon_command", required=True)
    check = lexicon_commands.add_parser("check", help="validate a lexicon file and list its conflicts")
    check.add_argument("file", type=Path, help="the lexicon file")
    check.add_argument("--only", action="store_true", help="check the file alone, not on top of the shipped base")
    return parser


#: Pages done and cells read; no rate (the bar appears only once the first page is done).
PROGRESS_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} pages{postfix}"


class Progress:
    """On a terminal, a bar per file over its pages, with the count of cells read; else nothing."""

    def __init__(self, enabled: bool, stream: TextIO = sys.stderr) -> None:
        self.enabled = enabled
        self.stream = stream
        self._bars: dict[Path, Any] = {}

    def page_done(self, path: Path, done: int, total: int, cells: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        bar = self._bars.get(path)
        if bar is None:
            bar = self._bars[path] = tqdm(total=total, desc=path.name, leave=False, file=self.stream,
                                          mininterval=0,  # a page takes seconds: show every one
                                          bar_format=PROGRESS_FORMAT)
        bar.set_postfix(cells=cells, refresh=False)
        bar.update(done - bar.n)

    def file_done(self, path: Path) -> None:
        bar = self._bars.pop(path, None)
        if bar is not None:
            bar.close()


def cmd_run(args: argparse.Namespace) -> int:
    from .run import expand_inputs, run_batch

    settings = _settings(args)
    lexicon = lexicon_for(args.lexicon, settings)
    inputs = expand_inputs(args.inputs, DRAFT_SUFFIXES)
    if not inputs:
        print("error: no drafts found in the inputs given", file=sys.stderr)
        return 2
    progress = Progress(sys.stderr.isatty() and not args.quiet)

    def on_file(outcome) -> None:
        progress.file_done(outcome.path)
        if outcome.status == "failed":
            print(f"error: {outcome.path}: {outcome.message}", file=sys.stderr)
            return
        if outcome.status == "partial":
            print(f"warning: {outcome.path}: {outcome.not_read}; the rows read are written", file=sys.stderr)
        if not args.quiet:
            tables = f"{outcome.tables} tables, " if outcome.tables > 1 else ""
            not_read = f"; {outcome.not_read}" if outcome.not_read else ""
            from_text = f"; {outcome.from_text}" if outcome.from_text else ""
            print(f"{outcome.status}: {outcome.path} ({tables}{outcome.rows} rows, {outcome.flagged} flagged cells"
                  f"{not_read}{from_text}, {outcome.seconds:.1f} s)" if outcome.status != "skipped"
                  else f"skipped: {outcome.path} (up to date)")
            if args.verbose and outcome.timings:
                print("  " + ", ".join(f"{stage} {t.wall:.2f} s wall / {t.cpu:.2f} s cpu"
                                       for stage, t in outcome.timings))

    def batch(executor=None):  # -> list[FileOutcome]
        return run_batch(inputs, args.out, settings, lexicon, args.lexicon, force=args.force,
                         debug_dir=args.debug, on_page=progress.page_done, on_file=on_file, executor=executor)

    if args.cluster:
        from .cluster import cluster_pages
        from .run import worker_count

        with cluster_pages(args.cluster, settings, worker_count(settings)) as pages:
            outcomes = batch(pages)
    else:
        outcomes = batch()
    from .archive import write_archive

    write_archive(args.out, outcomes, settings)  # index.csv and archive.long.csv, after every batch
    if not args.quiet and len(outcomes) > 1:
        print(summary_table(outcomes))
    return max((o.exit_code for o in outcomes), default=0)


def summary_table(outcomes) -> str:
    header = ("file", "pages", "rows", "flagged", "seconds", "status")
    lines = [header] + [
        (o.path.name, str(o.pages), str(o.rows), str(o.flagged), f"{o.seconds:.1f}", o.status) for o in outcomes
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines)


def load_version(path: Path, settings: Settings, lexicon_path: Path, previous: Any = None):
    """A clean CSV as written by `run`, or any draft run through the pipeline (with its result,
    whose page images give diff.html its crops); -> (Table, DraftResult | None). `previous`: the
    earlier version's table, the draft's title and agency knowledge."""
    from .run import process_draft
    from .tableio import read_table_csv

    if not path.is_file():
        raise NotADraft(str(path), "no such file")
    if path.suffix.lower() == ".csv":
        return read_table_csv(path), None
    result = process_draft(path, settings, lexicon_for(lexicon_path, settings, previous))
    return result.table, result


def load_table(path: Path, settings: Settings, lexicon_path: Path):  # -> Table
    return load_version(path, settings, lexicon_path)[0]


def _crop_html(result):  # DraftResult | None -> CropHtml | None
    """The crops of a version's cells for diff.html (None for a clean CSV: no paper to show)."""
    if result is None or not result.images:
        return None
    from .report import crop_images_html

    return lambda row, role: crop_images_html(result, row.sources.get(role))


def cmd_diff(args: argparse.Namespace) -> int:
    from .diff import compare, diff_exit_status, render_terminal, write_changes_csv, write_diff_html

    settings = _settings(args)
    old, old_result = load_version(args.old, settings, args.lexicon)
    new, new_result = load_version(args.new, settings, args.lexicon, previous=old)  # the old one is its lexicon
    changes = compare(old, new)
    write_changes_csv(changes, args.out / "changes.csv")
    write_diff_html(changes, old, new, args.out / "diff.html", _crop_html(old_result), _crop_html(new_result))
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(render_terminal(changes, color=color))
    return diff_exit_status(changes)


def _apply_stem(args: argparse.Namespace) -> str:
    if args.stem:
        return args.stem
    name = args.corrections.name
    for suffix in (".review.csv", ".corrections.csv"):
        if name.endswith(suffix) and (args.out_dir / f"{name[: -len(suffix)]}.run.json").exists():
            return name[: -len(suffix)]
    records = sorted(args.out_dir.glob("*.run.json"))
    if len(records) != 1:
        raise NotADraft(str(args.out_dir), f"{len(records)} processed drafts here; name one with --stem")
    return records[0].name[: -len(".run.json")]


def cmd_apply(args: argparse.Namespace) -> int:
    from .corrections import apply_corrections, lessons_of, read_corrections
    from .export import read_run_record, write_outputs, write_run_record
    from .lexicon import learn
    from .run import process_draft

    stem = _apply_stem(args)
    draft, lexicon_path, settings = read_run_record(args.out_dir, stem)
    result = process_draft(draft, settings, lexicon_for(lexicon_path, settings))
    corrections = read_corrections(args.corrections, result)
    if args.learn:
        lexicon = lexicon_for(lexicon_path, settings)
        lessons = lessons_of(corrections, result, lexicon, settings)
        learned = learn(lexicon_path, lessons.agencies, lessons.aliases, lessons.district, lessons.document,
                        lessons.level1, lessons.level2, lexicon.view(lessons.district).canonical_of)
        parts = [f"{len(learned.agencies)} agencies ({'、'.join(learned.agencies)})" if learned.agencies else "",
                 f"{len(learned.aliases)} aliases ({'、'.join(f'{a}→{b}' for a, b in learned.aliases)})"
                 if learned.aliases else "",
                 f"{len(learned.titles)} titles" if learned.titles else ""]
        if any(parts):
            print(f"learned {', '.join(p for p in parts if p)} into {lexicon_path}; backup {learned.backup}")
        for reason in learned.skipped:
            print(f"not learned: {reason}")
    write_outputs(apply_corrections(result, corrections), args.out_dir, stem)
    write_run_record(args.out_dir, stem, draft, settings, lexicon_path, result.page_reports, result.pages,
                     result.scope)
    print(f"applied {len(corrections)} corrections to {stem} in {args.out_dir}")
    return 0


def cmd_lexicon(args: argparse.Namespace) -> int:
    """`lexicon check FILE`: parse (with the base unless --only), then list conflicts."""
    from .lexicon import conflicts, load_lexicons

    lexicon = load_lexicons(DEFAULT_LEXICON, args.file, replace_base=args.only)
    found = conflicts(lexicon)
    for line in found:
        print(line)
    districts = len({a.district for a in lexicon.agencies if a.district})
    print(f"{'conflicts' if found else 'ok'}: {args.file}: {len(lexicon.agencies)} agency entries "
          f"({districts} district sections), {len(lexicon.documents)} documents"
          f"{f', {len(found)} conflicts' if found else ''}")
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if getattr(args, "verbose", False):
        logging.getLogger("pipeline").setLevel(logging.DEBUG)  # ours only: pdfminer's debug is noise
    try:
        if args.command == "run":
            return cmd_run(args)
        if args.command == "diff":
            return cmd_diff(args)
        if args.command == "apply":
            return cmd_apply(args)
        if args.command == "lexicon":
            return cmd_lexicon(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return DIFF_TROUBLE if args.command == "diff" else exc.exit_code
    except ValueError as exc:  # settings out of range
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished outputs are complete, none is half-written", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
