"""DRBD configuration for the lab's DRBD stand-in: a parser of drbd.conf (the subset the
lab and the book use) and `drbdadm dump-xml` in drbd-utils 9.22's exact format.

Understood: include, global (ignored), common and resource sections (options, net, disk,
startup, handlers), device/disk/meta-disk at resource, volume and host level, protocol,
on HOST { address, node-id, volume }, connection-mesh { hosts; net }. The output was held
against the real drbdadm 9.22 on the same files (tests/fixtures/drbd/dump-xml).
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONF = Path("/etc/drbd.conf")
SECTIONS = ("options", "net", "disk", "startup", "handlers")
# options of the disk section that drbdsetup keeps per peer device: printed after the rest
PEER_DEVICE_OPTIONS = (
    "resync-rate",
    "c-plan-ahead",
    "c-delay-target",
    "c-fill-target",
    "c-max-rate",
    "c-min-rate",
    "bitmap",
)
NOT_DUMPED = ("become-primary-on",)  # drbdadm keeps it apart from the startup section
TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};"]+)')


class ConfError(Exception):
    """A configuration drbdadm would reject (or that the stand-in does not understand)."""


@dataclass
class Token:
    text: str
    quoted: bool
    file: str
    line: int


Options = list[tuple[str, str]]


@dataclass
class Volume:
    vnr: int
    device: str = ""
    minor: int = -1
    disk: str = ""
    meta_disk: str = ""


@dataclass
class Host:
    name: str
    address: str = ""
    port: int = 0
    family: str = "ipv4"
    node_id: int = -1
    volumes: dict[int, Volume] = field(default_factory=dict)


@dataclass
class Connection:
    hosts: tuple[str, str]
    net: Options = field(default_factory=list)


@dataclass
class Resource:
    name: str
    file: str
    line: int
    hosts: dict[str, Host] = field(default_factory=dict)
    connections: list[Connection] = field(default_factory=list)
    sections: dict[str, Options] = field(default_factory=dict)

    def host(self, name: str) -> Host | None:
        return self.hosts.get(name)

    def option(self, section: str, name: str, default: str = "") -> str:
        for key, value in self.sections.get(section, []):
            if key == name:
                return value
        return default

    def peers(self, me: str) -> list[Host]:
        """The hosts connected to `me`, in configuration order."""
        names = {
            c.hosts[1] if c.hosts[0] == me else c.hosts[0]
            for c in self.connections
            if me in c.hosts
        }
        return [h for h in self.hosts.values() if h.name in names]


@dataclass
class Config:
    file: str
    common: dict[str, Options] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)


def tokenize(path: Path) -> list[Token]:
    """Words, quoted strings and { } ; of a configuration file, with their lines."""
    tokens = []
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0] if '"' not in raw else strip_comment(raw)
        for match in TOKEN.finditer(line):
            quoted, punct, word = match.groups()
            if quoted is not None:
                tokens.append(Token(quoted, True, str(path), number))
            else:
                tokens.append(Token(punct or word, False, str(path), number))
    return tokens


def strip_comment(line: str) -> str:
    """The line without its # comment (not inside quotes)."""
    inside = False
    for index, char in enumerate(line):
        if char == '"':
            inside = not inside
        elif char == "#" and not inside:
            return line[:index]
    return line


class Parser:
    """Recursive descent over the token list of drbd.conf and its includes."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise ConfError("unexpected end of configuration")
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.next()
        if token.text != text or token.quoted:
            raise ConfError(f"{token.file}:{token.line}: expected {text!r}, got {token.text!r}")

    def words_until_semicolon(self) -> list[str]:
        words = []
        while (token := self.next()).text != ";" or token.quoted:
            words.append(token.text)
        return words

    def section(self) -> Options:
        """`{ name value...; ... }` as (name, value) pairs in order."""
        self.expect("{")
        options: Options = []
        while (token := self.next()).text != "}" or token.quoted:
            words = self.words_until_semicolon()
            options.append((token.text, " ".join(words)))
        return options


def parse_file(path: Path, config: Config) -> None:
    """One configuration file into `config` (includes followed)."""
    parser = Parser(tokenize(path))
    while (token := parser.peek()) is not None:
        parser.next()
        if token.text == "include":
            pattern = parser.next().text
            parser.expect(";")
            base = path.parent
            for included in sorted(glob.glob(str(base / pattern))):
                parse_file(Path(included), config)
        elif token.text == "global":
            parser.section()
        elif token.text == "common":
            parser.expect("{")
            while (name := parser.next()).text != "}":
                config.common[name.text] = merge(config.common.get(name.text), parser.section())
        elif token.text == "resource":
            resource = parse_resource(parser, token)
            config.resources[resource.name] = resource
        else:
            raise ConfError(f"{token.file}:{token.line}: unexpected {token.text!r}")


def merge(old: Options | None, new: Options) -> Options:
    """Options of a section given twice, in order."""
    return [*(old or []), *new]


def parse_volume_item(parser: Parser, keyword: str, volume: Volume) -> bool:
    """device/disk/meta-disk into `volume`; False if `keyword` is none of them."""
    if keyword == "device":
        words = parser.words_until_semicolon()
        if "minor" in words:
            volume.minor = int(words[words.index("minor") + 1])
            words = [w for i, w in enumerate(words) if w != "minor" and words[i - 1] != "minor"]
        volume.device = words[0] if words else f"/dev/drbd{volume.minor}"
        if volume.minor < 0 and (match := re.fullmatch(r"/dev/drbd(\d+)", volume.device)):
            volume.minor = int(match.group(1))
        return True
    if keyword in ("disk", "meta-disk") and not is_block(parser):
        words = parser.words_until_semicolon()
        if keyword == "disk":
            volume.disk = " ".join(words)
        else:
            volume.meta_disk = " ".join(words)
        return True
    return False


def is_block(parser: Parser) -> bool:
    """The next token opens a { block }."""
    token = parser.peek()
    return token is not None and token.text == "{" and not token.quoted


def parse_volume(parser: Parser) -> Volume:
    """volume N { device; disk; meta-disk; }"""
    volume = Volume(int(parser.next().text))
    parser.expect("{")
    while (token := parser.next()).text != "}":
        if not parse_volume_item(parser, token.text, volume):
            raise ConfError(f"{token.file}:{token.line}: {token.text!r} in a volume")
    return volume


def parse_host(parser: Parser, resource: Resource) -> None:
    """on HOST { address; node-id; volume...; device; disk; meta-disk; }"""
    host = Host(parser.next().text)
    parser.expect("{")
    implicit = Volume(0)
    while (token := parser.next()).text != "}":
        if token.text == "address":
            words = parser.words_until_semicolon()
            if words[0] in ("ipv4", "ipv6"):
                host.family = words.pop(0)
            host.address, _, port = words[0].rpartition(":")
            host.port = int(port)
        elif token.text == "node-id":
            host.node_id = int(parser.words_until_semicolon()[0])
        elif token.text == "volume":
            volume = parse_volume(parser)
            host.volumes[volume.vnr] = volume
        elif not parse_volume_item(parser, token.text, implicit):
            raise ConfError(f"{token.file}:{token.line}: {token.text!r} in on {host.name}")
    if implicit.device or implicit.disk:
        host.volumes[0] = implicit
    resource.hosts[host.name] = host


def parse_mesh(parser: Parser, resource: Resource) -> None:
    """connection-mesh { hosts A B C; net { ... } }: one connection per pair."""
    parser.expect("{")
    hosts: list[str] = []
    net: Options = []
    while (token := parser.next()).text != "}":
        if token.text == "hosts":
            hosts = parser.words_until_semicolon()
        elif token.text == "net":
            net = parser.section()
        else:
            raise ConfError(f"{token.file}:{token.line}: {token.text!r} in connection-mesh")
    for i, first in enumerate(hosts):
        for second in hosts[i + 1 :]:
            resource.connections.append(Connection((first, second), list(net)))


def parse_resource(parser: Parser, start: Token) -> Resource:
    """resource NAME { ... }"""
    resource = Resource(parser.next().text, start.file, start.line)
    parser.expect("{")
    common = Volume(0)
    volumes: dict[int, Volume] = {}
    protocol: str | None = None
    while (token := parser.next()).text != "}":
        keyword = token.text
        if keyword == "on":
            parse_host(parser, resource)
        elif keyword == "connection-mesh":
            parse_mesh(parser, resource)
        elif keyword == "volume":
            volume = parse_volume(parser)
            volumes[volume.vnr] = volume
        elif keyword == "protocol":
            protocol = parser.words_until_semicolon()[0]
        elif keyword in SECTIONS and is_block(parser):
            resource.sections[keyword] = merge(resource.sections.get(keyword), parser.section())
        elif not parse_volume_item(parser, keyword, common):
            raise ConfError(f"{token.file}:{token.line}: {keyword!r} is not understood here")
    if common.device or common.disk:
        volumes.setdefault(0, common)
    if protocol is not None:
        resource.sections["net"] = [("protocol", protocol), *resource.sections.get("net", [])]
    finish_resource(resource, volumes)
    return resource


def finish_resource(resource: Resource, volumes: dict[int, Volume]) -> None:
    """Hosts inherit the resource's volumes; two hosts and no mesh: one connection."""
    for host in resource.hosts.values():
        for vnr, volume in volumes.items():
            if vnr not in host.volumes:
                host.volumes[vnr] = Volume(
                    vnr, volume.device, volume.minor, volume.disk, volume.meta_disk
                )
        host.volumes = dict(sorted(host.volumes.items()))
    if not resource.connections and len(resource.hosts) == 2:
        first, second = resource.hosts
        resource.connections.append(Connection((first, second)))


def load(path: Path = DEFAULT_CONF) -> Config:
    """Parse drbd.conf and what it includes."""
    config = Config(str(path))
    try:
        parse_file(path, config)
    except OSError as exc:
        raise ConfError(f"open({path}) failed: {exc.strerror}") from exc
    return config


# --- dump-xml -------------------------------------------------------------------------


def quoteattr(value: str) -> str:
    """An XML attribute value in double quotes (xml.sax's quoteattr, without its import
    cost: it pulls in urllib and email)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return '"' + escaped.replace('"', "&quot;") + '"'


def section_order(name: str, options: Options) -> Options:
    """A section's options in drbdadm's order of printing."""
    shown = [(k, v) for k, v in options if k not in NOT_DUMPED]
    if name != "disk":
        return shown
    first = [(k, v) for k, v in shown if k not in PEER_DEVICE_OPTIONS]
    return first + [(k, v) for k, v in shown if k in PEER_DEVICE_OPTIONS]


def xml_sections(sections: dict[str, Options], indent: str) -> list[str]:
    """<section> elements in drbdadm's order (options net disk startup handlers)."""
    lines = []
    for name in SECTIONS:
        options = section_order(name, sections.get(name, []))
        if not options:
            continue
        lines.append(f'{indent}<section name="{name}">')
        lines += [
            f"{indent}    <option name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in options
        ]
        lines.append(f"{indent}</section>")
    return lines


def xml_address(host: Host) -> str:
    """<address family=... port=...>IP</address>"""
    return f'<address family="{host.family}" port="{host.port}">{host.address}</address>'


def xml_host(host: Host, indent: str) -> list[str]:
    """<host> with its volumes and address."""
    lines = [f'{indent}<host name="{host.name}">']
    for volume in host.volumes.values():
        lines += [
            f'{indent}    <volume vnr="{volume.vnr}">',
            f'{indent}        <device minor="{volume.minor}">{volume.device}</device>',
            f"{indent}        <disk>{volume.disk}</disk>",
            f"{indent}        <meta-disk>{volume.meta_disk}</meta-disk>",
            f"{indent}    </volume>",
        ]
    lines += [f"{indent}    {xml_address(host)}", f"{indent}</host>"]
    return lines


def xml_connection(resource: Resource, conn: Connection, indent: str, me: str | None) -> list[str]:
    """<connection> with its two hosts (and _name for the local host's)."""
    lines = [f"{indent}<connection>"]
    for name in conn.hosts:
        host = resource.hosts[name]
        lines.append(f'{indent}    <host name="{name}">{xml_address(host)}</host>')
    net = list(conn.net)
    if me is not None and me in conn.hosts:
        peer = conn.hosts[1] if conn.hosts[0] == me else conn.hosts[0]
        net = [("_name", peer), *net]
    lines += xml_sections({"net": net}, indent + "    ")
    return [*lines, f"{indent}</connection>"]


def xml_resource(resource: Resource, indent: str, me: str | None) -> list[str]:
    """One <resource>; `me`: the local host when one resource is dumped (drbdadm then
    names the local host's connections, `_name`, as `drbdadm up` does)."""
    line = f"{resource.file}:{resource.line}"
    lines = [f'{indent}<resource name="{resource.name}" conf-file-line="{line}">']
    for host in resource.hosts.values():
        lines += xml_host(host, indent + "    ")
    for conn in resource.connections:
        lines += xml_connection(resource, conn, indent + "    ", me)
    lines += xml_sections(resource.sections, indent + "    ")
    return [*lines, f"{indent}</resource>"]


def dump_xml(config: Config, resource: str | None = None, me: str | None = None) -> str:
    """`drbdadm dump-xml` (all resources) or `drbdadm dump-xml RES`, as drbd-utils 9.22."""
    if resource is not None:
        return "\n".join(xml_resource(config.resources[resource], "", me)) + "\n"
    lines = [f'<config file="{config.file}">']
    if any(config.common.values()):
        lines.append("    <common>")
        lines += xml_sections(config.common, "        ")
        lines.append("    </common>")
    for res in config.resources.values():
        lines += xml_resource(res, "    ", None)
    lines.append("</config>")
    return "\n".join(lines) + "\n"
