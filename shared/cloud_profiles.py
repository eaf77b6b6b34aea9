"""Turn ``terraform output -json`` of ``infrastructure/`` into ``temporalio.envconfig`` TOML profiles.

One profile per part of the suite (``orchestrator``, ``it``, ``finance``, ...), each with the part's
Temporal Cloud address, namespace id and credentials, so a worker starts with ``--profile it`` (or
``TEMPORAL_PROFILE=it``) and ``TEMPORAL_CONFIG_FILE`` naming the written file. ``--team`` limits the file
to some parts: each team is handed a file holding its own key only.

    terraform -chdir=infrastructure output -json > /dev/null            # state is there
    scripts/cloud_profiles -o ~/.config/temporalio/nexus-agents.toml     # python -m shared.cloud_profiles
    scripts/cloud_profiles --team it -o it.toml                         # the IT team's file only
    terraform -chdir=infrastructure output -json | scripts/cloud_profiles --tf-output - -o -

The namespace id written is ``shared.topology.namespace_id(<Cloud name>, <account>)``, the one place that
qualifies names, and it is checked against the id Terraform reports.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.topology import Topology, load_topology, namespace_id

DEFAULT_TERRAFORM_DIR = Path(__file__).resolve().parents[1] / "infrastructure"


class ProfileError(Exception):
    """The Terraform outputs cannot be turned into profiles; the message says what to do."""


class CloudNamespace(BaseModel):
    """One namespace as the root module's ``namespaces`` output describes it."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(description="Namespace id, ``<name>.<account>``.")
    name: str = Field(description="Namespace name in the account.")
    grpc_address: str = Field(description="host:port the part's clients connect to.")


class CloudDeployment(BaseModel):
    """The outputs of ``infrastructure/`` that client profiles need."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    auth_method: Literal["api_key", "mtls"] = Field(description="How workers authenticate.")
    account_id: str = Field(min_length=1, description="Temporal Cloud account id.")
    namespaces: dict[str, CloudNamespace] = Field(description="Per part, its namespace.")
    api_keys: dict[str, str] = Field(default_factory=dict, description="Per part, its API key token.")


def parse_terraform_output(raw: Mapping[str, Any]) -> CloudDeployment:
    """Read the JSON of ``terraform output -json`` (``{name: {"value": ..., "sensitive": ...}}``)."""
    try:
        values = {name: raw[name]["value"] for name in ("auth_method", "account_id", "namespaces")}
        values["api_keys"] = raw.get("api_keys", {}).get("value") or {}
    except (KeyError, TypeError) as error:
        raise ProfileError(
            f"Terraform output lacks {error}: run `terraform apply` in infrastructure/ first, "
            "and pass the JSON of `terraform output -json`."
        ) from None
    try:
        return CloudDeployment.model_validate(values)
    except ValidationError as error:
        raise ProfileError(
            f"Terraform output does not look like infrastructure/'s outputs:\n{error}"
        ) from None


def profile_names(topology: Topology) -> list[str]:
    """The parts of the suite, in the order profiles are written: the orchestrator, then each tool team."""
    return ["orchestrator", *sorted(topology.tool_services)]


def build_profiles(
    deployment: CloudDeployment,
    topology: Topology,
    *,
    teams: Iterable[str] | None = None,
    mtls_cert_dir: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Profiles as envconfig reads them from TOML, keyed by part.

    ``teams`` limits the result to those parts (default: every part). With mTLS, each part's client
    certificate and key are expected at ``<mtls_cert_dir>/<part>.pem`` and ``<part>.key``.
    """
    known = profile_names(topology)
    wanted = list(teams) if teams else known
    unknown = [team for team in wanted if team not in known]
    if unknown:
        raise ProfileError(f"Unknown team(s) {', '.join(unknown)}; the topology has: {', '.join(known)}")
    missing = [part for part in known if part not in deployment.namespaces]
    if missing:
        raise ProfileError(
            f"Terraform created no namespace for {', '.join(missing)}: topology.json changed since the "
            "last `terraform apply`; apply again."
        )
    if deployment.auth_method == "mtls" and mtls_cert_dir is None:
        raise ProfileError("The namespaces use mTLS: pass --mtls-cert-dir with <team>.pem and <team>.key.")

    profiles: dict[str, dict[str, Any]] = {}
    for part in wanted:
        cloud = deployment.namespaces[part]
        qualified = namespace_id(cloud.name, deployment.account_id)
        if qualified != cloud.id:
            raise ProfileError(
                f"Namespace id {cloud.id!r} of {part} is not {qualified!r} (name + account): "
                "the Terraform output is inconsistent; run `terraform refresh`."
            )
        profile: dict[str, Any] = {"address": cloud.grpc_address, "namespace": qualified}
        if deployment.auth_method == "api_key":
            if part not in deployment.api_keys:
                raise ProfileError(f"Terraform output has no API key for {part}; run `terraform apply`.")
            profile["api_key"] = deployment.api_keys[part]
        else:
            assert mtls_cert_dir is not None  # checked above
            profile["tls"] = {
                "client_cert_path": str(mtls_cert_dir / f"{part}.pem"),
                "client_key_path": str(mtls_cert_dir / f"{part}.key"),
            }
        profiles[part] = profile
    return profiles


def _toml_value(value: Any) -> str:
    # JSON string escapes are a subset of TOML basic-string escapes.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"No TOML rendering for {type(value).__name__}")


def render_toml(profiles: Mapping[str, Mapping[str, Any]]) -> str:
    """The envconfig TOML file: a ``[profile.<name>]`` table per profile, sub-tables for nested keys."""
    lines = [
        "# Generated by scripts/cloud_profiles from infrastructure/'s Terraform outputs. Holds secrets.",
        "",
    ]
    for name, profile in profiles.items():
        lines.append(f"[profile.{name}]")
        nested = {key: value for key, value in profile.items() if isinstance(value, Mapping)}
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in profile.items() if key not in nested)
        for key, table in nested.items():
            lines.append(f"[profile.{name}.{key}]")
            lines.extend(f"{sub} = {_toml_value(value)}" for sub, value in table.items())
        lines.append("")
    return "\n".join(lines)


def read_terraform_output(source: str | None, terraform_dir: Path) -> Mapping[str, Any]:
    """The outputs as JSON: from a file, from stdin (``-``), or by running ``terraform output -json``."""
    try:
        if source == "-":
            return json.loads(sys.stdin.read())
        if source is not None:
            return json.loads(Path(source).read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ProfileError(f"Cannot read Terraform output JSON from {source}: {error}") from None
    try:
        completed = subprocess.run(
            ["terraform", f"-chdir={terraform_dir}", "output", "-json"],
            check=True,
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        raise ProfileError(
            "No terraform on PATH: pass --tf-output with saved `terraform output -json`."
        ) from None
    except subprocess.CalledProcessError as error:
        raise ProfileError(f"`terraform output -json` failed in {terraform_dir}:\n{error.stderr}") from None
    return json.loads(completed.stdout)


def write_profiles(text: str, destination: str) -> None:
    """Write the TOML to a file readable by its owner only (it holds API keys), or to stdout for ``-``."""
    if destination == "-":
        sys.stdout.write(text)
        return
    path = Path(destination).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="scripts/cloud_profiles",
        description="Write temporalio.envconfig TOML profiles from infrastructure/'s Terraform outputs.",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="TOML file to write (mode 0600; point TEMPORAL_CONFIG_FILE at it), or - for stdout",
    )
    parser.add_argument(
        "--tf-output",
        metavar="FILE",
        help="saved `terraform output -json` (- for stdin); default: run terraform in --terraform-dir",
    )
    parser.add_argument(
        "--terraform-dir",
        type=Path,
        default=DEFAULT_TERRAFORM_DIR,
        help="root module to read outputs from (default: %(default)s)",
    )
    parser.add_argument(
        "--team",
        action="append",
        dest="teams",
        metavar="PART",
        help="write only this part's profile (orchestrator or a tool team); repeatable; default: all",
    )
    parser.add_argument(
        "--mtls-cert-dir",
        type=Path,
        help="with mTLS namespaces: directory holding <part>.pem and <part>.key client certificates",
    )
    args = parser.parse_args()
    try:
        deployment = parse_terraform_output(read_terraform_output(args.tf_output, args.terraform_dir))
        profiles = build_profiles(
            deployment,
            load_topology(),
            teams=args.teams,
            mtls_cert_dir=args.mtls_cert_dir.resolve() if args.mtls_cert_dir else None,
        )
        write_profiles(render_toml(profiles), args.output)
    except ProfileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if args.output != "-":
        print(f"Wrote profiles {', '.join(profiles)} to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
