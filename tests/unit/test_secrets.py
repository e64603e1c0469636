"""Secrets never leave: the redactor masks them in every shape the console handles, and
a stored change keeps them sealed (encrypted), opened only to run."""

from __future__ import annotations

import bz2
import io
import json
import tarfile

import pytest

from fencing.changes import device_create, device_update
from hacore.errors import InvalidInput
from hacore.pacemaker.agents import parse_agent_metadata
from hacore.secrets import MASK, Redactor, is_secret_name
from hacore.tarballs import redact_tarball
from operations.change import Change
from tests.scripted import fixture

PLANTED = "Plant3d-S3cret!"
R = Redactor()


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "passwd",
        "snmp_priv_passwd",
        "secret_key",
        "access_key",
        "community",
        "token",
        "api-token",
        "PASSWORD",
        "key",
        "passphrase",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "ip",
        "username",
        "login",
        "pcmk_host_list",
        "password_script",
        "identity_file",
        "monkey",
        "port",
        "snmp_auth_prot",
    ],
)
def test_names_that_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_argv_masks_secret_assignments_only() -> None:
    argv = ["stonith", "create", "ipmi1", "fence_ipmilan", f"password={PLANTED}", "ip=10.0.0.1"]
    assert R.argv(argv) == [*argv[:4], "password=***", "ip=10.0.0.1"]
    assert R.argv(["pcs", "property", "set", "password="]) == [
        "pcs",
        "property",
        "set",
        "password=",
    ]


def test_cib_xml_nvpairs_are_masked_whatever_the_attribute_order() -> None:
    xml = (
        f'<nvpair id="d-password" name="password" value="{PLANTED}"/>'
        f"<nvpair value='{PLANTED}' name='passwd' id='x'/>"
        '<nvpair id="d-ip" name="ip" value="10.0.0.1"/>'
    )
    masked = R.text(xml)
    assert PLANTED not in masked
    assert 'name="password" value="***"' in masked
    assert 'value="10.0.0.1"' in masked


def test_a_patchset_that_changes_a_password_is_masked() -> None:
    patch = (
        '<diff format="2"><change operation="modify" '
        "path=\"/cib/configuration/resources/primitive[@id='d']/instance_attributes"
        "[@id='d-instance_attributes']/nvpair[@id='d-instance_attributes-password']\">"
        f'<change-list><change-attr name="value" operation="set" value="{PLANTED}"/>'
        "</change-list></change></diff>"
    )
    assert PLANTED not in R.text(patch)
    other = patch.replace("-password']", "-ip']")
    assert PLANTED in R.text(other), "a non-secret attribute's change stays readable"


def test_pcs_output_and_json_are_masked() -> None:
    text = f'Attributes: ip=10.0.0.1 password={PLANTED} passwd="{PLANTED}"\n'
    text += json.dumps({"token": PLANTED, "name": "node1"})
    masked = R.text(text)
    assert PLANTED not in masked
    assert "ip=10.0.0.1" in masked
    assert '"name": "node1"' in masked


def test_a_value_named_by_the_caller_is_masked_anywhere() -> None:
    redactor = Redactor(frozenset({"bmc_pin"})).with_values([PLANTED])
    assert redactor.argv([f"bmc_pin={PLANTED}"]) == ["bmc_pin=***"]
    assert redactor.text(f"error: login failed with {PLANTED}") == "error: login failed with ***"


def test_fence_device_change_seals_its_secrets_in_json() -> None:
    change = device_create(
        {
            "id": "ipmi1",
            "agent": "fence_ipmilan",
            "params": {"password": PLANTED, "bmc_pin": "4321", "ip": "10.0.0.1"},
            "secret_params": ["bmc_pin"],
        }
    )
    assert set(change.secrets) == {f"password={PLANTED}", "bmc_pin=4321"}
    stored = json.dumps(change.as_json())
    assert PLANTED not in stored
    assert "4321" not in stored
    assert "ip=10.0.0.1" in stored
    again = Change.from_json(json.loads(stored))
    assert again.stage == change.stage, "opened to run: the node gets the real value"
    assert again.redactor().argv(list(again.stage[0]))[-3:] == [
        "password=***",
        "bmc_pin=***",
        "ip=10.0.0.1",
    ]


def test_the_mask_itself_is_refused_as_a_new_secret() -> None:
    with pytest.raises(InvalidInput, match=r"password: \*\*\* is how the console shows a secret"):
        device_update("ipmi1", {"params": {"password": MASK}})
    assert device_update("ipmi1", {"params": {"ip": MASK}}).kind == "fence.update"


def test_agent_metadata_marks_private_and_secret_named_parameters() -> None:
    xml = fixture("metadata/ocf_pacemaker_Dummy.xml").replace(
        '<parameter name="state"', '<parameter name="state" private="1"'
    )
    found = {p.name: p.secret for p in parse_agent_metadata("ocf:pacemaker:Dummy", xml).parameters}
    assert found["passwd"] is True
    assert found["state"] is True
    assert found["fake"] is False


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:bz2") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def test_a_downloaded_tarball_has_its_secrets_masked_even_in_nested_bz2() -> None:
    cib = f'<cib><nvpair id="d-password" name="password" value="{PLANTED}"/></cib>'.encode()
    data = _tarball(
        {
            "cib.xml": cib,
            "pe-input-1.bz2": bz2.compress(cib),
            "blob": b"\xff\x00\xfe",
            "known-hosts": json.dumps({"token": PLANTED}).encode(),
        }
    )
    masked = redact_tarball(data, R)
    with tarfile.open(fileobj=io.BytesIO(masked), mode="r:bz2") as tar:
        contents = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    assert PLANTED.encode() not in contents["cib.xml"]
    assert PLANTED.encode() not in bz2.decompress(contents["pe-input-1.bz2"])
    assert PLANTED.encode() not in contents["known-hosts"]
    assert contents["blob"] == b"\xff\x00\xfe"


def test_a_change_summary_fits_its_column_and_hides_secrets() -> None:
    change = Change(
        "defaults.resource",
        "x" * 300,
        f"resource defaults: password={PLANTED}, " + "a=1, " * 200,
        "p",
    )
    assert len(change.summary) == 500
    assert PLANTED not in change.summary
    assert len(change.target) == 255
