"""The style sheet of the explanation's HTML pages (``html`` and the derivation's ``derivation_page``).

Inline CSS only, so that a page works offline: no fonts, scripts or images from anywhere.
"""

STYLE = """
body { font-family: system-ui, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 0; background: #fafaf7; color: #1d1d1f; line-height: 1.5; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid #d8d4c8; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; color: #555; }
.label { display: inline-block; min-width: 3.2rem; padding: 0 .45rem; margin-right: .5rem; border-radius: .3rem;
         background: #234; color: #fff; font-size: .85rem; text-align: center; }
.math, .eq, .sub, .value { font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math", "DejaVu Serif", serif; }
.eq { font-size: 1.1rem; margin: .35rem 0 .35rem 1rem; }
.sub { margin: .2rem 0 .2rem 1rem; padding: .2rem .6rem; background: #fff; border-left: 3px solid #c96; overflow-x: auto; }
.value { margin: .4rem 0 .4rem 1rem; display: flex; align-items: center; gap: .5rem; flex-wrap: wrap; }
.note { margin: .4rem 0 .4rem 1rem; color: #444; }
.ss { display: inline-flex; flex-direction: column; vertical-align: middle; font-size: .75em; line-height: 1.05; }
.ss sup, .ss sub { position: static; font-size: 1em; }
table.facts td { padding: .1rem 1rem .1rem 0; }
table.matrix { border-collapse: collapse; border-left: 2px solid #333; border-right: 2px solid #333; }
table.matrix td { padding: .05rem .45rem; text-align: right; font-variant-numeric: tabular-nums; }
table.costs { border-collapse: collapse; margin-left: 1rem; }
table.costs th, table.costs td { padding: .1rem .8rem; text-align: right; border-bottom: 1px solid #ddd; }
dl.defs { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; margin-left: 1rem; }
dl.defs dt, dl.defs dd { margin: 0; }
"""
