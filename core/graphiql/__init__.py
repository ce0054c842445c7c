"""GraphiQL (the in-browser IDE at ``GET /graphql``) served from this server, for intranets.

County bureaus often have no internet, so the page loads GraphiQL, React and the explorer
plugin from :data:`ASSETS_PATH` on this server: the npm packages' files are vendored unchanged
under ``core/graphiql/static/<package>@<version>/`` with their licence files, at the versions
in :data:`ASSETS` (the same files, byte for byte, that strawberry's page loads from unpkg: the
SRI hashes below are those strawberry pins). ``BAOXUE_GRAPHIQL_CDN=true`` loads them from the
public CDN instead. The page's own script (``baoxue-graphiql.js``) is a static file too, so
the content security policy needs no inline scripts (:func:`content_security_policy`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
#: Where the assets are served.
ASSETS_PATH = "/graphiql-assets"
CDN = "https://unpkg.com"


@dataclass(frozen=True)
class Asset:
    #: Path under :data:`STATIC_DIR` (and :data:`ASSETS_PATH`): ``<package>@<version>/<file>``.
    local: str
    #: Path of the same file on the CDN.
    cdn: str
    integrity: str

    @property
    def is_style(self) -> bool:
        return self.local.endswith(".css")


#: In the order the page loads them.
ASSETS = (
    Asset(
        "react@18.2.0/react.production.min.js",
        "react@18.2.0/umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "react-dom@18.2.0/react-dom.production.min.js",
        "react-dom@18.2.0/umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "graphiql@3.8.3/graphiql.min.css",
        "graphiql@3.8.3/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "graphiql-plugin-explorer@1.0.2/style.css",
        "@graphiql/plugin-explorer@1.0.2/dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
    Asset(
        "graphiql@3.8.3/graphiql.min.js",
        "graphiql@3.8.3/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Asset(
        "graphiql-plugin-explorer@1.0.2/index.umd.js",
        "@graphiql/plugin-explorer@1.0.2/dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)
#: Baoxue's own start-up script for the page (always served from here).
PAGE_SCRIPT = "baoxue-graphiql.js"

_PAGE = """<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8" />
    <title>保学 Baoxue GraphiQL</title>
    <link rel="icon" href="data:," />
    <style>
      body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; display: flex; }}
    </style>
{styles}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">
      <noscript>GraphiQL 需要 JavaScript / GraphiQL needs JavaScript.</noscript>
      <p id="graphiql-loading">正在加载 GraphiQL… / Loading GraphiQL…</p>
    </div>
{scripts}
    <script src="{base}/{page_script}"></script>
  </body>
</html>
"""


def _url(asset: Asset, use_cdn: bool) -> str:
    return f"{CDN}/{asset.cdn}" if use_cdn else f"{ASSETS_PATH}/{asset.local}"


def graphiql_page(*, use_cdn: bool = False) -> str:
    """The HTML of the GraphiQL page: assets from this server, or from the CDN."""
    styles, scripts = [], []
    for asset in ASSETS:
        url = html.escape(_url(asset, use_cdn))
        cross = " crossorigin" if use_cdn else ""
        if asset.is_style:
            styles.append(
                f'    <link rel="stylesheet" href="{url}" integrity="{asset.integrity}"{cross} />'
            )
        else:
            scripts.append(
                f'    <script src="{url}" integrity="{asset.integrity}"{cross}></script>'
            )
    return _PAGE.format(
        styles="\n".join(styles),
        scripts="\n".join(scripts),
        base=ASSETS_PATH,
        page_script=PAGE_SCRIPT,
    )


def content_security_policy(*, use_cdn: bool = False) -> bytes:
    """The page's policy: scripts and styles from this server (and the CDN when it is used);
    inline styles are allowed (GraphiQL sets them), inline scripts are not."""
    extra = f" {CDN}" if use_cdn else ""
    return (
        f"default-src 'self'; script-src 'self'{extra}; style-src 'self' 'unsafe-inline'{extra}; "
        f"img-src 'self' data:; font-src 'self' data:{extra}; connect-src 'self'; "
        "frame-ancestors 'none'"
    ).encode()


def assets_mount() -> Mount:
    """The route serving :data:`STATIC_DIR` at :data:`ASSETS_PATH`."""
    return Mount(ASSETS_PATH, app=StaticFiles(directory=STATIC_DIR), name="graphiql-assets")
