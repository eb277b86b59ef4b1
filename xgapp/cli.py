"""The `xgapp` command: serve, demo, create-user, backup, restore, check, print."""

import os
import sys
import threading
import webbrowser

import click

from xgapp import __version__
from xgapp import clock

DATA_OPTION = click.option("--data", "data", type=click.Path(file_okay=False), envvar="XGAPP_DATA",
                           help="Data folder (default: the per-user app-data folder).")


def _app(data, log="xgapp.log", **settings):
    from xgapp.app import create_app
    from xgapp.migrate import SchemaTooNew
    from xgapp.settings import SettingError

    try:
        return create_app({"DATA_DIR": data, "SETTINGS": settings, "XGAPP_LOG": log})
    except (SchemaTooNew, SettingError) as exc:
        raise click.ClickException(str(exc)) from exc


def _settings(data, overrides=None):
    """(data paths, settings in force, their sources) without creating anything; a bad setting is a clear error."""
    from xgapp import paths, settings

    where = paths.DataPaths(paths.data_dir(data))
    try:
        return (where, *settings.load(where, overrides=overrides))
    except settings.SettingError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(invoke_without_command=True)
@click.version_option(__version__, prog_name="xgapp")
@click.pass_context
def main(ctx):
    """xgapp — 学管师工作台 (campus study-management workbench)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve, open_browser=getattr(sys, "frozen", False))


@main.command()
@DATA_OPTION
@click.option("--host", default=None, help="Interface to bind (default 0.0.0.0: the whole LAN).")
@click.option("--port", type=int, default=None, help="TCP port (default 8080).")
@click.option("--threads", type=int, default=None, help="Worker threads (default 4).")
@click.option("--browser/--no-browser", "open_browser", default=False, help="Open the browser on the app.")
def serve(data=None, host=None, port=None, threads=None, open_browser=False):
    """Serve the campus on the LAN with waitress (a second start opens the running one instead)."""
    from xgapp import serve as server
    from xgapp.scheduler import Worker

    overrides = {k: v for k, v in (("host", host), ("port", port), ("threads", threads)) if v is not None}
    cfg = _settings(data, overrides)[1]
    local_url = "http://127.0.0.1:%d/" % cfg["port"]
    try:
        sock = server.listen(cfg["host"], cfg["port"])
    except OSError:
        if server.running_xgapp(cfg["port"]):
            click.echo("xgapp 已经在运行：%s\nxgapp is already running: %s" % (local_url, local_url))
            if open_browser:
                webbrowser.open(local_url)
            return
        raise click.ClickException(
            "端口 %d 已被其他程序占用。Port %d is used by another program: "
            "choose another with --port (or `port` in xgapp.toml)." % (cfg["port"], cfg["port"])) from None
    try:
        app = _app(data, **overrides)
    except BaseException:
        sock.close()
        raise
    click.echo("xgapp %s · data: %s" % (__version__, app.config["XGAPP_PATHS"].root))
    click.echo("在校区网络中的平板或电脑上打开 / Open on a tablet or PC of the campus network:")
    for url in server.urls(cfg["host"], cfg["port"]):
        click.echo("  " + url)
    click.echo("关闭此窗口或按 Ctrl+C 停止服务。Close this window or press Ctrl+C to stop.")
    httpd = server.server(app, sock, cfg["threads"])
    scheduler = Worker(app.config["XGAPP_PATHS"], delay=cfg["jobs_delay_seconds"]).start()
    stopped = threading.Event()

    def stop(timeout=10):
        """Stop serving; a backup or bundle being written is finished first (the scheduler's job ends)."""
        if not stopped.is_set():
            stopped.set()
            scheduler.stop(timeout)
            httpd.close()

    server.on_console_close(lambda: stop(timeout=4))  # Windows ends the process about 5 s after the event
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(local_url,)).start()
    try:
        httpd.run()  # returns on Ctrl+C (waitress catches KeyboardInterrupt)
    finally:
        stop()
    click.echo("xgapp 已停止。xgapp stopped.")


@main.command()
@DATA_OPTION
@click.option("--delay", type=click.FloatRange(0, 3600), default=0, show_default=True,
              help="Seconds to wait before the first run.")
def jobs(data, delay):
    """Run the background jobs (backups, follow-up tasks, the nightly bundle) until standard input closes.

    `xgapp serve` starts this by itself, at low priority; run it alone only when no server runs on the folder."""
    from xgapp import scheduler

    scheduler.lower_priority()  # first: building the app already competes with the server starting up
    app = _app(data, log="jobs.log")  # its own log file: two processes never rotate one
    scheduler.serve_jobs(app, delay)


@main.command()
@DATA_OPTION
@click.option("--password", help="Password for every demo account (default: a random one, printed).")
@click.option("--years", type=click.IntRange(1, 10), default=1, show_default=True,
              help="Years of history to generate.")
@click.option("--seed", type=int, default=2024, show_default=True, help="Random seed (same seed, same campus).")
def demo(data, password, years, seed):
    """Build a demo campus in an empty data folder and print its accounts."""
    from xgapp import demo as demo_data

    app = _app(data)
    with app.app_context():
        try:
            made, password = demo_data.build(password=password, years=years, seed=seed)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo("Demo campus ready in %s" % app.config["XGAPP_PATHS"].root)
    click.echo("Password of every account: %s" % password)
    click.echo("%-12s %-8s %-28s %s" % ("username", "name", "roles", "PIN"))
    for user, roles, pin in made:
        click.echo("%-12s %-8s %-28s %s" % (user.username, user.display_name, ",".join(roles), pin or "-"))


@main.command("create-user")
@DATA_OPTION
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="The person's name as shown in the app.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["principal", "supervisor", "advisor", "director", "teacher", "frontdesk",
                                 "finance"]), help="Repeat for several roles.")
@click.password_option(help="Initial password (asked for when omitted).")
def create_user(data, username, display_name, roles, password):
    """Create a staff account (e.g. a second principal, or when the only one forgot the password)."""
    from xgapp.accounts import domain
    from xgapp.validation import Invalid

    app = _app(data)
    with app.app_context():
        try:
            user = domain.create_user(None, username, display_name, password, set(roles))
        except Invalid as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo("created %s (%s)" % (user.username, ", ".join(sorted(roles))))


@main.command()
@DATA_OPTION
@click.option("--out", type=click.Path(dir_okay=False), help="Backup file to write (default: in backups/).")
def backup(data, out):
    """Back up the database (SQLite backup API, verified)."""
    from xgapp import backup as backups

    app = _app(data)
    paths = app.config["XGAPP_PATHS"]
    target = backups.backup_database(paths.database, out) if out else \
        backups.backup_into_folder(paths.database, paths.backups, "manual")
    click.echo("backup written and verified: %s" % target)


@main.command()
@DATA_OPTION
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(data, backup_file, yes):
    """Replace the database with a backup (validated first; the current data is backed up)."""
    from xgapp import backup as backups
    from xgapp import db
    from xgapp.backup import restore as restoring

    app = _app(data)
    paths = app.config["XGAPP_PATHS"]
    try:
        backups.inspect_backup(backup_file)
    except backups.InvalidBackup as exc:
        raise click.ClickException("refused: %s (nothing was changed)" % exc) from exc
    if not yes:
        click.confirm("Replace the data in %s with %s?" % (paths.database, backup_file), abort=True)
    with app.app_context():
        db.ensure_connection()
        try:
            saved = restoring.restore_live(db.database.obj, backup_file, paths.backups)
        except backups.InvalidBackup as exc:
            raise click.ClickException("refused: %s (nothing was changed)" % exc) from exc
    click.echo("restored %s; the previous data was saved to %s" % (backup_file, saved))


@main.command()
@DATA_OPTION
def check(data):
    """Integrity check, schema version and the settings in force; exit 1 on a problem."""
    from xgapp import backup as backups
    from xgapp import db, migrate, settings

    where, values = _settings(data)[:2]
    if not where.root.is_dir():
        raise click.ClickException("no data folder at %s (check --data or XGAPP_DATA); nothing was created" %
                                   where.root)
    if values["database_url"] == "sqlite:///" + where.database.as_posix() and not where.database.is_file():
        raise click.ClickException("no campus in %s (no %s): check --data or XGAPP_DATA; nothing was created" %
                                   (where.root, where.database.name))
    app = _app(data)
    paths = app.config["XGAPP_PATHS"]
    problems = backups.integrity(paths.database) if db.is_sqlite() else []
    with app.app_context():
        db.ensure_connection()
        version = migrate.db_version(db.database.obj)
        edited = migrate.edited_migrations(db.database.obj)
        if version == migrate.code_version():
            from xgapp.hours import domain as hours

            problems += hours.facts_problems()
    click.echo("data folder: %s" % paths.root)
    click.echo("integrity: %s" % ("ok" if not problems else "; ".join(problems[:5])))
    click.echo("schema: %d (this xgapp: %d)" % (version, migrate.code_version()))
    if edited:
        click.echo("warning: migrations edited after they were applied: %s" % edited)
    shown = settings.masked(app.config["XGAPP"])
    for s in settings.SETTINGS:
        value = shown[s.name]
        click.echo("setting %s = %s (%s)" % (s.name, value, app.config["XGAPP_SOURCES"][s.name]))
    if problems or version != migrate.code_version():
        sys.exit(1)


@main.command("print")
@click.argument("form_name", metavar="FORM", type=click.Choice(
    ["briefing", "parent-meeting", "selfstudy-log", "first-lesson", "qa-log", "daily-report", "change-form",
     "campus-daily", "month-report"]))
@click.option("--id", "ref", help="Record to print: a briefing, meeting or feedback id; an advisor's user id for "
                                  "daily-report; TK-n / ZB-n / TF-n (停课/转班/退费) for change-form; campus/YYYY-MM or "
                                  "ADVISOR-ID/YYYY-MM for month-report.")
@click.option("--date", "day", help="Day to print (YYYY-MM-DD): selfstudy-log, qa-log, daily-report.")
@click.option("--from", "first", help="Print every record from this day (with --to) as one PDF.")
@click.option("--to", "last", help="Last day of --from.")
@click.option("--blank", is_flag=True, help="The empty form, to fill in by hand.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="PDF file to write.")
@DATA_OPTION
def print_form(form_name, ref, day, first, last, blank, output, data):
    """Print a form to a PDF file (for scripts): one record, a day, a range of days, or blank."""
    from xgapp.prints import render
    from xgapp.prints.catalog import FORMS, NotFound

    parse = _day_option

    form = FORMS[form_name]
    app = _app(data)
    with app.app_context():
        try:
            if blank:
                pdf, pages, missing = _written(render.blank(form))
            elif first or last:
                if form.refs_between is None:
                    raise click.UsageError("%s is printed one at a time (--id)" % form_name)
                start, end = parse(first, "--from"), parse(last or first, "--to")
                if end < start:
                    raise click.BadParameter("--to is before --from", param_hint="--to")
                if (end - start).days > 366:
                    raise click.BadParameter("at most a year at a time", param_hint="--to")
                pdf, pages, missing = render.batch(form, form.refs_between(start, end, None))
            else:
                if form.keyed_by == "date":
                    ref = parse(day, "--date").isoformat()
                elif form.keyed_by == "advisor-date":
                    if not ref:
                        raise click.UsageError("daily-report needs --id (the advisor's user id) and --date")
                    ref = "%s/%s" % (ref, parse(day, "--date").isoformat())
                elif form.keyed_by == "scope-month" and not ref:
                    raise click.UsageError("month-report needs --id campus/YYYY-MM or ADVISOR-ID/YYYY-MM")
                elif not ref:
                    raise click.UsageError("%s needs --id (or --blank)" % form_name)
                pdf, pages, missing = _written(render.filled(form, ref))
        except NotFound:
            raise click.ClickException("nothing to print: no %s for %s" % (form_name, ref or day or first)) from None
    partial = output + ".part"
    with open(partial, "wb") as target:  # never a half-written PDF under the name asked for
        target.write(pdf)
    os.replace(partial, output)
    click.echo("%s: %d page(s) → %s" % (form.title, pages, output))
    if missing:
        click.echo("warning: printed as code points (not in the shipped fonts): %s"
                   % " ".join("U+%04X" % ord(c) for c in missing), err=True)


def _written(rendered):
    from xgapp import printing

    return printing.write(rendered), rendered.pages, rendered.missing


def _day_option(value, option):
    from datetime import date

    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        day = None
    if day is None or not 2000 <= day.year <= 2099 or len(value) != 10:
        raise click.BadParameter("use YYYY-MM-DD (2000–2099)", param_hint=option)
    return day


@main.command("export")
@DATA_OPTION
@click.option("--date", "day", help="One day's changes (YYYY-MM-DD), written to -o.")
@click.option("--from", "first", help="First day of a period (with --to).")
@click.option("--to", "last", help="Last day of a period.")
@click.option("--full", is_flag=True, help="Every record, not only the period's changes.")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False),
              help="Folder for an on-demand bundle (default: the data folder's exports/on-demand).")
def export_bundles(data, day, first, last, full, output):
    """Without options: make every nightly bundle that is due and queue it (as the server does at the set time).
    With --date, --from/--to or --full: an on-demand bundle of that period, outside the nightly chain."""
    from pathlib import Path

    from xgapp.export import bundle, jobs

    app = _app(data)
    paths = app.config["XGAPP_PATHS"]
    with app.app_context():
        try:
            if not (day or first or last or full):
                made = jobs.catch_up(paths)
                for item in made:
                    click.echo("%s: %d row(s), %.1f KB" % (item.name, item.rows, item.size / 1024))
                if not made:
                    click.echo("nothing due: every closed day has its bundle")
                return

            if day and (first or last):
                raise click.UsageError("use --date or --from/--to, not both")
            start = _day_option(day or first, "--date" if day else "--from") if (day or first) else None
            end = _day_option(day or last or first, "--to") if (day or last or first) else None
            if start is None:
                start = end = clock.today()
            if end < start:
                raise click.BadParameter("--to is before --from", param_hint="--to")
            folder = Path(output) if output else paths.exports / "on-demand"
            info = bundle.make_range(start, end, folder, full=full)
        except bundle.ExportError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo("%s: %d row(s), %.1f KB" % (info["path"], info["rows"], info["size"] / 1024))


@main.command("verify")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(dir_okay=False))
def verify_bundles(bundles):
    """Check bundles: safe names, the manifest, every file present with its SHA-256 (exit 1 if any fails)."""
    from xgapp.export.verify import BundleInvalid, verify

    failed = 0
    for path in bundles:
        try:
            found = verify(path)
        except BundleInvalid as exc:
            failed += 1
            click.echo("FAILED %s: %s" % (path, exc), err=True)
            continue
        manifest = found.manifest
        click.echo("OK %s: %s %s %s–%s, %d file(s) verified" % (
            path, manifest["campus"]["code"], manifest["kind"], manifest["period"]["from"],
            manifest["period"]["to"], len(found.files)))
    if failed:
        sys.exit(1)


@main.command("outbox")
@DATA_OPTION
@click.option("--send", is_flag=True, help="Try every pending delivery now.")
def outbox(data, send):
    """List the outbox (待发送 / 已发送 / 失败 with the reason); --send tries the pending ones now."""
    from xgapp.export import delivery
    from xgapp.export.models import ExportBundle, Outbox

    app = _app(data)
    paths = app.config["XGAPP_PATHS"]
    labels = {"pending": "待发送 pending", "sent": "已发送 sent", "failed": "失败 failed"}
    with app.app_context():
        if send:
            for row in delivery.process(paths, force=True):
                click.echo("%s %s: %s %s" % (row.bundle.name, row.channel, labels[row.status], row.last_error))
        rows = Outbox.select(Outbox, ExportBundle).join(ExportBundle).order_by(ExportBundle.date_from, Outbox.id)
        for row in rows:
            when = clock.local(row.sent_at or row.next_at)
            click.echo("%-40s %-6s %-14s tries %-3d %s %s" % (
                row.bundle.name, row.channel, labels[row.status], row.attempts,
                when.strftime("%Y-%m-%d %H:%M") if when else "", row.last_error))
        if not rows.exists():
            click.echo("the outbox is empty")


@main.command("ingest")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--db", "db_url", required=True, envvar="XGAPP_HQ_DB",
              help="Head-office database: sqlite:///FILE or postgresql://USER:PASSWORD@HOST:PORT/DB "
                   "(or the XGAPP_HQ_DB environment variable, which keeps the password off the command line).")
def ingest_bundles(bundles, db_url):
    """Head office: merge campus bundles into one database. Each is verified first (a damaged or tampered one is
    refused, nothing of it written); the same bundle twice adds nothing; an older bundle never overwrites newer
    data. Exit 1 if any bundle was refused."""
    import peewee

    from xgapp.export import ingest

    def show(result):
        if result.status == ingest.INGESTED:
            kept = result.rows + result.deleted - result.applied
            click.echo("ingested %s: %d row(s), %d deletion(s), %d report row(s) — %s %s %s–%s%s" % (
                result.path, result.rows, result.deleted, result.days, result.campus, result.kind,
                result.period[0], result.period[1],
                "; %d kept as they were (head office had newer)" % kept if kept else ""))
        elif result.status == ingest.ALREADY:
            click.echo("already ingested %s (%s): nothing added" % (result.path, result.campus))
        else:
            click.echo("REFUSED %s: %s" % (result.path, result.message), err=True)

    try:
        results = ingest.ingest(bundles, db_url, on_result=show)
    except ingest.HqError as exc:
        raise click.ClickException(str(exc)) from None
    except peewee.DatabaseError as exc:
        raise click.ClickException("总部数据库出错（当前导出包未写入）：%s。Head-office database error (the bundle "
                                   "being ingested was not written): %s" % (exc, exc)) from None
    if any(result.status == ingest.REFUSED for result in results):
        sys.exit(1)


@main.command("hq-report")
@click.option("--db", "db_url", required=True, envvar="XGAPP_HQ_DB",
              help="Head-office database (as for `xgapp ingest`).")
@click.option("--from", "first", required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "last", required=True, help="Last day (YYYY-MM-DD).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="File to write: .xlsx (numbers as numbers) or .pdf (A4 landscape, printable).")
def hq_report(db_url, first, last, output):
    """Head office: the 日报 campus totals of every campus and day of a period, with day and period totals."""
    import peewee

    from xgapp.export import hqreport, ingest

    kind = os.path.splitext(output)[1].lower()
    if kind not in (".xlsx", ".pdf"):
        raise click.BadParameter("write a .xlsx or .pdf file", param_hint="-o")
    start, end = _day_option(first, "--from"), _day_option(last, "--to")
    try:
        report = hqreport.build(db_url, start, end)
    except (ingest.HqError, hqreport.ReportError) as exc:
        raise click.ClickException(str(exc)) from None
    except peewee.DatabaseError as exc:
        raise click.ClickException("总部数据库出错：%s。Head-office database error: %s" % (exc, exc)) from None
    data = hqreport.xlsx(report) if kind == ".xlsx" else hqreport.pdf(report)
    partial = output + ".part"
    with open(partial, "wb") as target:  # never a half-written file under the name asked for
        target.write(data)
    os.replace(partial, output)
    missing = sum(1 for line in report.rows if line.missing)
    click.echo("%s %s–%s: %d campus(es), %d campus day(s), %d not received → %s" % (
        hqreport.TITLE, start, end, len(report.campus_totals), len(report.rows), missing, output))


# The campus reads Chinese first: each command's and option's help starts with it, the English follows.
CHINESE = {
    "": "学管师工作台：不带命令时在局域网上运行校区。",
    "serve": "在局域网上运行校区（已在运行时打开正在运行的那个）。",
    "jobs": "运行后台任务（备份、回访任务、每晚导出包），直到标准输入关闭；xgapp serve 会自动以低优先级启动它。",
    "demo": "在空的数据文件夹中生成演示校区，并列出各账号。",
    "create-user": "新建员工账号（例如第二位校长，或唯一的校长忘了密码时）。",
    "backup": "备份数据库（SQLite 备份接口，备份后校验）。",
    "restore": "用备份替换数据库（先校验备份，并先备份当前数据）。",
    "check": "完整性检查、数据库版本和生效的设置；有问题时退出码为 1。",
    "print": "把表单打印成 PDF 文件：一条记录、一天、连续多天，或空白表。",
    "export": "不带选项：生成所有到期的每晚导出包并排队发送；带 --date、--from/--to 或 --full：生成该时段的临时导出包。",
    "verify": "检查导出包：文件名、清单、每个文件及其 SHA-256（有不合格的退出码为 1）。",
    "outbox": "列出发件箱（待发送 / 已发送 / 失败及原因）；--send 立即重试待发送的。",
    "ingest": "总部：把各校区导出包合并到一个数据库（先逐个校验，损坏或被改动的拒收）。",
    "hq-report": "总部：某时段每个校区每天的日报合计，并有按日和全时段的合计。",
}
OPTIONS_CHINESE = {
    "--data": "数据文件夹（默认：本机用户的应用数据文件夹）。", "--host": "监听的网卡地址（默认 0.0.0.0：整个局域网）。",
    "--port": "TCP 端口（默认 8080）。", "--threads": "工作线程数（默认 4）。", "--browser": "启动后打开浏览器。",
    "--delay": "第一次运行前等待的秒数。", ("demo", "--password"): "所有演示账号的密码（默认随机生成并打印）。",
    ("create-user", "--password"): "初始密码（省略时会询问）。",
    "--years": "生成几年的历史数据。", "--seed": "随机种子（相同种子生成相同的校区）。", "--name": "在系统中显示的姓名。",
    "--role": "角色（可重复，给多个角色）。", "--out": "备份文件（默认写在 backups/ 中）。", "--yes": "不再询问确认。",
    "--id": "要打印的记录：说明会、家长会或首课反馈的编号；学管师日报为学管师的用户编号；异动申请表为 TK-n / ZB-n / TF-n；"
             "月报为 campus/YYYY-MM 或 学管师编号/YYYY-MM。", "--date": "日期（YYYY-MM-DD）。", "--from": "开始日期（YYYY-MM-DD）。",
    "--to": "结束日期（YYYY-MM-DD）。", "--blank": "空白表，手工填写。", "--output": "要写入的文件或文件夹。",
    "--full": "全部记录，而不只是该时段的变化。", "--send": "立即重试所有待发送的。", "--db": "总部数据库地址。",
}


def _chinese_first(group):
    """Put the Chinese help in front of the English of every command and option (`xgapp --help`); a command or
    option without its Chinese keeps the English alone (tests/test_cli.py fails on it)."""
    group.help = "%s\n\n%s" % (CHINESE[""], group.help)
    for name, command in group.commands.items():
        if name in CHINESE:
            command.short_help = CHINESE[name]
            command.help = "%s\n\n%s" % (CHINESE[name], command.help or "")
        for param in command.params:
            option = param.opts[-1]
            zh = OPTIONS_CHINESE.get((name, option)) or OPTIONS_CHINESE.get(option)
            if zh and getattr(param, "help", None):
                param.help = "%s %s" % (zh, param.help)


_chinese_first(main)
