"""Resource changes API: create, read attributes, delete, the actions by name, groups,
constraints; placement scores and agents (read on a node, recorded). Every change is
planned (?plan=1) or queued on the same base (operations/api/base.py)."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from hacore.errors import NotFound
from operations.api.base import ClusterView
from operations.api.serializers import OperationSerializer, PlanSerializer
from resources import changes, constraint_changes, reads, virt, vm_details
from resources.api.serializers import (
    ConstraintBody,
    GroupBody,
    GroupRemoveBody,
    ResourceActionBody,
    ResourceCreateBody,
)

CHANGED = {202: OperationSerializer, 200: PlanSerializer}


class ResourceCreateView(ClusterView):
    """POST /clusters/<id>/resources/ {id, agent, params, meta, operations} [?plan=1]."""

    body_serializer = ResourceCreateBody

    @extend_schema(request=ResourceCreateBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) the creation of a primitive."""
        return self.submit(
            lambda b: changes.resource_create(
                b.get("id"), b.get("agent"), b.get("params"), b.get("meta"), b.get("operations")
            )
        )


class ResourceView(ClusterView):
    """GET /clusters/<id>/resources/<rid>/: its parameters and meta attributes, read from
    the CIB now; DELETE [?plan=1] removes it."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int, rid: str) -> Response:
        """{"params": {...}, "meta": {...}} as the CIB has them now."""
        return Response(asdict(reads.attributes(self.cluster, request.user, rid)))

    @extend_schema(request=None, responses=CHANGED)
    def delete(self, request: Request, cluster_pk: int, rid: str) -> Response:
        """Queue (or plan) the deletion of a resource."""
        return self.submit(lambda _: changes.resource_delete(rid))


class ResourceActionView(ClusterView):
    """POST /clusters/<id>/resources/<rid>/<action>/ [?plan=1]: changes.RESOURCE_ACTIONS."""

    body_serializer = ResourceActionBody

    @extend_schema(request=ResourceActionBody, responses=CHANGED, operation_id="resource_action")
    def post(self, request: Request, cluster_pk: int, rid: str, verb: str) -> Response:
        """Queue (or plan) the resource action; move and ban take {"node": ...}."""
        builder = changes.RESOURCE_ACTIONS.get(verb)
        if builder is None:
            raise NotFound(f"no resource action {verb!r}")
        return self.submit(lambda body: builder(rid, body))


class GroupsView(ClusterView):
    """POST /clusters/<id>/groups/ {"id", "resources", "before"|"after"}: create or add."""

    body_serializer = GroupBody

    @extend_schema(request=GroupBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) the group change."""
        return self.submit(changes.group_add)


class GroupRemoveView(ClusterView):
    """POST /clusters/<id>/groups/<gid>/remove/ {"resources": [...]}."""

    body_serializer = GroupRemoveBody

    @extend_schema(request=GroupRemoveBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int, gid: str) -> Response:
        """Queue (or plan) taking members out."""
        return self.submit(lambda body: changes.group_remove(gid, body))


class ConstraintsView(ClusterView):
    """GET /clusters/<id>/constraints/[?resource=R]; POST {"type": "location", ...}."""

    body_serializer = ConstraintBody

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """The constraints as the CIB has them now."""
        rid = request.query_params.get("resource")
        found = reads.constraints(self.cluster, request.user, rid)
        return Response({"constraints": [c.as_dict() for c in found]})

    @extend_schema(request=ConstraintBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or ?plan=1 plan) a new constraint."""
        return self.submit(constraint_changes.create)


class ConstraintView(ClusterView):
    """DELETE /clusters/<id>/constraints/<constraint id>/ [?plan=1]."""

    @extend_schema(request=None, responses=CHANGED)
    def delete(self, request: Request, cluster_pk: int, cid: str) -> Response:
        """Queue (or plan) removing the constraint."""
        return self.submit(lambda _: constraint_changes.delete(cid))


class ScoresView(ClusterView):
    """GET /clusters/<id>/scores/: `crm_simulate --live-check --show-scores`, as text."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Every resource's placement score on every node, as Pacemaker computes it now."""
        found = reads.scores(self.cluster, request.user)
        return Response({"scores": list(found.scores), "output": found.output})


class AgentListView(ClusterView):
    """GET /clusters/<id>/agents/: standards and OCF providers; ?standard=ocf:heartbeat
    (or lsb, service, systemd, stonith): the agents of one, as full agent names."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Read the lists with crm_resource on a node."""
        standard = request.query_params.get("standard", "")
        if not standard:
            return Response({"standards": reads.standards(self.cluster, request.user)})
        found = reads.agents(self.cluster, request.user, standard)
        return Response({"standard": standard, "agents": found})


class AgentMetadataView(ClusterView):
    """GET /clusters/<id>/agents/<agent>/: parameters and default operations of an agent
    (a resource agent, or stonith:fence_x for a fence device's form)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="cluster_agent_metadata")
    def get(self, request: Request, cluster_pk: int, agent: str) -> Response:
        """crm_resource --show-metadata, parsed."""
        return Response(reads.metadata(self.cluster, request.user, agent).as_dict())


class VmsView(ClusterView):
    """GET /clusters/<id>/vms/: every VirtualDomain resource with libvirt's state of its
    domain on every node (read now), Pacemaker's placement (the mirror) and a double-run
    flag."""

    @extend_schema(operation_id="clusters_vms_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Read the CIB, the domain definitions and `virsh list --all` on every node."""
        return Response({"vms": virt.vms(self.cluster, request.user)})


class VmView(ClusterView):
    """GET /clusters/<id>/vms/<name>/: one VM, by domain name or resource id."""

    @extend_schema(operation_id="clusters_vms_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int, name: str) -> Response:
        """The VM as every node sees it now, with libvirt's description of it where it
        runs (`details`); 404 if there is none of that name."""
        found = vm_details.vm(self.cluster, request.user, name)
        if found is None:
            raise NotFound(f"no VM {name[:80]!r} on this cluster")
        return Response(found)


class DrbdView(ClusterView):
    """GET /clusters/<id>/drbd/: every DRBD resource per node and volume (role, disk,
    connection and replication state, out of sync, resync progress, split-brain), read
    now with `drbdsetup status --json` on every node."""

    @extend_schema(operation_id="clusters_drbd_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int) -> Response:
        """Read drbdsetup status on every node."""
        return Response({"drbd": virt.drbd(self.cluster, request.user)})


class DrbdResourceView(ClusterView):
    """GET /clusters/<id>/drbd/<res>/: one DRBD resource as every node sees it now."""

    @extend_schema(operation_id="clusters_drbd_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, cluster_pk: int, res: str) -> Response:
        """The resource per node and volume; 404 if no node has it."""
        for entry in virt.drbd(self.cluster, request.user):
            if entry["name"] == res:
                return Response(entry)
        raise NotFound(f"no DRBD resource {res[:80]!r} on this cluster")
