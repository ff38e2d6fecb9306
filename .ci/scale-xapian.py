#!/usr/bin/python3
"""The peers of the scale bench (issue 8): a generated site in Xapian and SQLite FTS5.

    .ci/scale-xapian.py SITE_DIR [--db DIR] [--fts5] [--queries N] [--report FILE]

SITE_DIR is a site of ../shared/tools/make_site.py (as .ci/scale-bench leaves it in
/tmp/kbscale/site-N). Its HTML documents (title and the text of <main>; the 2% of PDFs are
left out) are indexed in-process with Debian's python3-xapian, then the queries of
SITE_DIR/queries.txt run one after the other: first page of 10 with exact match counts
(check_at_least = all documents) and two facets, theme and year, counted by ValueCountMatchSpy.
With --fts5 the same documents and queries go through SQLite FTS5, counts and facets by SQL.
Prints the figures as a markdown table. Run with Debian's python3 (/usr/bin/python3), which
has the xapian module: apt-get install python3-xapian. See docs/scale.md.
"""
import argparse
import datetime
import html
import importlib.util
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse

try:
    import xapian
except ImportError:
    sys.exit("scale-xapian: no xapian module: apt-get install python3-xapian, "
             "and run with /usr/bin/python3")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SLOT_THEME, SLOT_YEAR = 0, 1

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
MAIN = re.compile(r"<main>(.*?)</main>", re.S)
DATE = re.compile(r"class=date>(\d{4})-\d\d-\d\d<")
TAG = re.compile(r"<[^>]+>")


def site_vocabulary(tools):
    """THEMES (slug -> phrases) and the kinds of document, read from make_site.py."""
    spec = importlib.util.spec_from_file_location("make_site", os.path.join(tools, "make_site.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m.THEMES, [k for k, _ in m.KINDS]


def read_docs(site, themes, kinds):
    """Yield one dict a document: url, title, body, year, kind, themes, main theme."""
    phrase_theme = [(p.lower(), t) for t, ps in themes.items() for p in ps]
    first_phrase = {ps[0].lower(): t for t, ps in themes.items()}
    root = os.path.join(site, "docs")
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".html"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                page = f.read()
            t, m, d = TITLE.search(page), MAIN.search(page), DATE.search(page)
            title = html.unescape(t.group(1)) if t else ""
            body = html.unescape(TAG.sub(" ", m.group(1))) if m else ""
            low = (title + " " + body).lower()
            doc_themes = sorted({t for p, t in phrase_theme if p in low})
            main_theme = first_phrase.get(title.rsplit(": ", 1)[-1].lower(), "")
            kind = next((k for k in kinds if name.startswith(k + "-")), "")
            yield {"url": "/" + os.path.relpath(os.path.join(dirpath, name), site),
                   "title": title, "body": body, "year": d.group(1) if d else "",
                   "kind": kind, "themes": doc_themes, "main_theme": main_theme}


def read_queries(path):
    out = []
    with open(path) as f:
        for line in f:
            p = urllib.parse.parse_qs(line.strip(), keep_blank_values=True)
            out.append({k: p.get(k, [""])[0] for k in ("q", "theme", "type", "year")})
    return out


def disk_mb(path):
    total = 0
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512 / 2**20
    for dirpath, _, files in os.walk(path):
        for n in files:
            total += os.lstat(os.path.join(dirpath, n)).st_blocks * 512
    return total / 2**20


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def latency_row(engine, n, index_s, index_cpu, size, times, cpu, notes):
    ms = [t * 1000 for t in times]
    return {"engine": engine, "docs": n, "index_s": index_s, "index_cpu": index_cpu,
            "docs_s": n / index_s, "cpu_ms": cpu * 1000 / len(times),
            "disk_mb": size, "queries": len(ms), "p50": pct(ms, 50), "p90": pct(ms, 90),
            "p99": pct(ms, 99), "mean": statistics.fmean(ms), "qps": len(ms) / sum(times),
            "notes": notes}


# ---------------------------------------------------------------- Xapian

def xapian_index(docs, path):
    if os.path.exists(path):
        shutil.rmtree(path)
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("en"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    for d in docs:
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(d["title"], 2)  # the title counts twice, as a field boost
        tg.increase_termpos()
        tg.index_text(d["body"])
        for t in d["themes"]:
            doc.add_boolean_term("XT" + t)
        if d["kind"]:
            doc.add_boolean_term("XK" + d["kind"])
        if d["year"]:
            doc.add_boolean_term("XY" + d["year"])
        doc.add_value(SLOT_THEME, d["main_theme"])
        doc.add_value(SLOT_YEAR, d["year"])
        doc.set_data(d["url"] + "\n" + d["title"])
        db.add_document(doc)
    db.commit()
    return db


def xapian_search(db, queries):
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("en"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_OR)
    qp.set_database(db)
    flags = (xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_PHRASE
             | xapian.QueryParser.FLAG_BOOLEAN | xapian.QueryParser.FLAG_LOVEHATE)
    total = db.get_doccount()
    times, matched = [], 0
    for q in queries:
        t0 = time.perf_counter()
        if q["q"].strip():
            try:
                query = qp.parse_query(q["q"], flags)
            except xapian.QueryParserError:
                query = qp.parse_query(q["q"], 0)
        else:
            query = xapian.Query.MatchAll
        filters = [xapian.Query("X" + p + v) for p, k in (("T", "theme"), ("K", "type"), ("Y", "year"))
                   for v in q[k].split(",") if v]
        if filters:
            query = xapian.Query(xapian.Query.OP_FILTER, query,
                                 xapian.Query(xapian.Query.OP_AND, filters))
        enq = xapian.Enquire(db)
        enq.set_query(query)
        themes, years = xapian.ValueCountMatchSpy(SLOT_THEME), xapian.ValueCountMatchSpy(SLOT_YEAR)
        enq.add_matchspy(themes)
        enq.add_matchspy(years)
        mset = enq.get_mset(0, 10, total)  # check_at_least every document: an exact count
        hits = [m.document.get_data() for m in mset]
        facets = ([(f.term, f.termfreq) for f in themes.values()],
                  [(f.term, f.termfreq) for f in years.values()])
        times.append(time.perf_counter() - t0)
        matched += mset.get_matches_estimated()
        del hits, facets
    return times, matched


# ---------------------------------------------------------------- SQLite FTS5

def fts5_index(docs, path):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61');
        CREATE TABLE meta(id INTEGER PRIMARY KEY, url TEXT, main_theme TEXT, year TEXT, kind TEXT);
        CREATE TABLE doc_theme(id INTEGER, theme TEXT);
    """)
    with con:
        for i, d in enumerate(docs, 1):
            con.execute("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
                        (i, d["title"], d["body"]))
            con.execute("INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                        (i, d["url"], d["main_theme"], d["year"], d["kind"]))
            con.executemany("INSERT INTO doc_theme VALUES (?, ?)", [(i, t) for t in d["themes"]])
    con.executescript("""
        CREATE INDEX doc_theme_theme ON doc_theme(theme, id);
        CREATE INDEX meta_year ON meta(year); CREATE INDEX meta_kind ON meta(kind);
        INSERT INTO docs(docs) VALUES ('optimize');
    """)
    con.commit()
    return con


def fts5_match(q):
    """The free text as an FTS5 expression: quoted phrases kept, other words ORed."""
    parts = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', q):
        words = re.findall(r"\w+", phrase or word)
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " OR ".join(parts)


def fts5_search(con, queries):
    times, matched = [], 0
    for q in queries:
        t0 = time.perf_counter()
        match = fts5_match(q["q"])
        where, args = [], []
        if match:
            where.append("m.id IN (SELECT rowid FROM docs WHERE docs MATCH ?)")
            args.append(match)
        if q["theme"]:
            where.append("m.id IN (SELECT id FROM doc_theme WHERE theme = ?)")
            args.append(q["theme"])
        if q["type"]:
            where.append("m.kind = ?")
            args.append(q["type"])
        if q["year"]:
            where.append("m.year = ?")
            args.append(q["year"])
        cond = " AND ".join(where) or "1"
        count = con.execute(f"SELECT count(*) FROM meta m WHERE {cond}", args).fetchone()[0]
        if match:
            top = con.execute(
                f"SELECT m.url, d.title FROM docs d JOIN meta m ON m.id = d.rowid "
                f"WHERE docs MATCH ? AND {cond} ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10",
                [match] + args).fetchall()
        else:
            top = con.execute(f"SELECT m.url FROM meta m WHERE {cond} ORDER BY m.year DESC LIMIT 10",
                              args).fetchall()
        themes = con.execute(f"SELECT main_theme, count(*) FROM meta m WHERE {cond} GROUP BY 1",
                             args).fetchall()
        years = con.execute(f"SELECT year, count(*) FROM meta m WHERE {cond} GROUP BY 1",
                            args).fetchall()
        times.append(time.perf_counter() - t0)
        matched += count
        del top, themes, years
    return times, matched


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("site", help="a site generated by make_site.py")
    ap.add_argument("--db", help="folder for the databases (default SITE/../peers-N)")
    ap.add_argument("--fts5", action="store_true", help="also SQLite FTS5")
    ap.add_argument("--rounds", type=int, default=1, help="passes over the query mix (default 1)")
    ap.add_argument("--queries", type=int, default=0,
                    help="time only the first N queries of the mix (default all 2,000)")
    ap.add_argument("--report", help="append the table to this file")
    ap.add_argument("--tools", default=os.path.join(os.path.dirname(ROOT), "shared", "tools"),
                    help="folder of make_site.py (default %(default)s)")
    a = ap.parse_args()
    site = os.path.abspath(a.site)
    qfile = os.path.join(site, "queries.txt")
    if not os.path.exists(qfile):
        sys.exit(f"scale-xapian: no {qfile}: is {site} a site of make_site.py?")
    db_dir = a.db or os.path.join(os.path.dirname(site), "peers-" + os.path.basename(site).split("-")[-1])
    os.makedirs(db_dir, exist_ok=True)
    started = datetime.datetime.now().astimezone()
    load_start = open("/proc/loadavg").read().split()[:3]
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"

    themes, kinds = site_vocabulary(a.tools)
    t0 = time.perf_counter()
    docs = list(read_docs(site, themes, kinds))
    read_s = time.perf_counter() - t0
    n = len(docs)
    queries = read_queries(qfile)
    queries = (queries[:a.queries] if a.queries else queries) * a.rounds
    print(f"read {n} HTML documents in {read_s:.1f} s; {len(queries)} queries", file=sys.stderr)

    rows = []
    t0, c0 = time.perf_counter(), time.process_time()
    db = xapian_index(docs, os.path.join(db_dir, "xapian"))
    xi, xc = time.perf_counter() - t0, time.process_time() - c0
    print(f"xapian: indexed in {xi:.1f} s", file=sys.stderr)
    xapian_search(db, queries[-200:])  # warm-up
    c0 = time.process_time()
    times, matched = xapian_search(db, queries)
    rows.append(latency_row("Xapian " + xapian.version_string(), n, xi, xc,
                            disk_mb(os.path.join(db_dir, "xapian")), times,
                            time.process_time() - c0,
                            f"exact counts ({matched:,} matches in all), facets theme+year by "
                            f"ValueCountMatchSpy, top 10 with stored data"))
    if a.fts5:
        t0, c0 = time.perf_counter(), time.process_time()
        con = fts5_index(docs, os.path.join(db_dir, "fts5.db"))
        fi, fc = time.perf_counter() - t0, time.process_time() - c0
        print(f"fts5: indexed in {fi:.1f} s", file=sys.stderr)
        fts5_search(con, queries[-200:])
        c0 = time.process_time()
        times, matched = fts5_search(con, queries)
        rows.append(latency_row("SQLite FTS5 " + sqlite3.sqlite_version, n, fi, fc,
                                disk_mb(os.path.join(db_dir, "fts5.db")), times,
                                time.process_time() - c0,
                                f"exact counts ({matched:,} matches in all), facets theme+year "
                                f"by GROUP BY, top 10 by bm25"))

    load_end = open("/proc/loadavg").read().split()[:3]
    out = [f"### Peers on {os.path.basename(site)}, {started:%Y-%m-%d %H:%M %Z}", "",
           f"- commit {commit}; {n:,} HTML documents read and parsed in {read_s:.1f} s (not in "
           f"the index time); one thread, in-process, queries one after the other after a "
           f"warm-up of 200",
           f"- load average (1/5/15 min) at the start {' '.join(load_start)}, at the end "
           f"{' '.join(load_end)}", "",
           "| engine | docs | index s | index CPU s | docs/s | disk MB | queries | p50 ms | p90 ms "
           "| p99 ms | mean ms | CPU ms/query | queries/s | notes |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['engine']} | {r['docs']:,} | {r['index_s']:.1f} | {r['index_cpu']:.1f} | "
                   f"{r['docs_s']:.0f} | {r['disk_mb']:.0f} | {r['queries']} | {r['p50']:.2f} | "
                   f"{r['p90']:.2f} | {r['p99']:.2f} | {r['mean']:.2f} | {r['cpu_ms']:.2f} | "
                   f"{r['qps']:.0f} | {r['notes']} |")
    table = "\n".join(out) + "\n"
    print(table)
    if a.report:
        with open(a.report, "a") as f:
            f.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
