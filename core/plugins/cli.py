"""``baoxue plugins``: what is installed, with version and jurisdiction."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from core.plugins.errors import PluginError
from core.plugins.manager import get_plugin_manager, plugin_infos


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all", "show_all", is_flag=True, help="Include core's default-rules plugin.")
def plugins_command(as_json: bool, show_all: bool) -> None:
    """List installed county plugins: name, version, jurisdiction, source documents."""
    try:
        infos = plugin_infos(get_plugin_manager())
    except PluginError as exc:
        raise click.ClickException(str(exc)) from exc
    if not show_all:
        infos = [info for info in infos if not info.default]
    if as_json:
        click.echo(json.dumps([asdict(i) for i in infos], ensure_ascii=False, indent=2))
        return
    if not infos:
        click.echo("no county plugins installed / 未安装县级插件")
        return
    for info in infos:
        where = (
            f"{info.jurisdiction_code} {info.jurisdiction_name}"
            if info.jurisdiction_code
            else "(no jurisdiction)"
        )
        dist = f"{info.distribution} {info.version}".strip() or "(core)"
        click.echo(f"{info.name:<12} {dist:<24} {where}")
        for source in info.sources:
            click.echo(f"{'':<12} 依据: {source}")
