"""VM and DRBD actions API: the live-migration pre-check, the migration itself, start
and stop; DRBD's split-brain recovery. Each change is planned (?plan=1, 200) or queued
(202) like every other change."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from hacore.errors import NotFound
from operations import capabilities, service
from operations.api.base import ClusterView, plan_or_queue, wants_plan
from operations.api.serializers import OperationSerializer, PlanSerializer, operation_brief
from resources import book_stack, drbd_actions, vm_actions
from resources.api.serializers import BookStackBody, MigrateBody, SplitBrainBody

CHANGED = {202: OperationSerializer, 200: PlanSerializer}


class PrecheckView(ClusterView):
    """POST /clusters/<id>/vms/<name>/precheck/ {"node"}: every blocker of a live
    migration to the node, each with its reason, and the plan (changes nothing)."""

    body_serializer = MigrateBody

    @extend_schema(request=MigrateBody, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, cluster_pk: int, name: str) -> Response:
        """{"ok", "blockers": [{"code", "reason"}], "plan", "actions"}."""
        self.require("clusters.operate_cluster", f"pre-check a migration of {name[:80]}")
        body = self.body()
        return Response(vm_actions.precheck(self.cluster, request.user, name, body).as_json())


class MigrateView(ClusterView):
    """POST /clusters/<id>/vms/<name>/migrate/ {"node"} [?plan=1]: the pre-check, then
    the plan (200) or the migration queued on that plan (202); 409 migration_blocked
    with every blocker."""

    body_serializer = MigrateBody

    @extend_schema(request=MigrateBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int, name: str) -> Response:
        """Live-migrate the VM through Pacemaker."""
        self.require("clusters.operate_cluster", f"migrate {name[:80]}")
        body = self.body()
        change, plan = vm_actions.migrate(self.cluster, request.user, name, body)
        lacking = capabilities.missing(change, self.cluster.capabilities)
        if lacking:
            raise capabilities.UnsupportedByCluster(change, lacking, self.cluster.pcs_version)
        if wants_plan(request):
            return Response(PlanSerializer(plan).data)
        op = service.enqueue(self.cluster.id, change, request.user, plan=plan)
        return Response(operation_brief(op), status=status.HTTP_202_ACCEPTED)


class VmPowerView(ClusterView):
    """POST /clusters/<id>/vms/<name>/start/, stop/ or restart/ [?plan=1]: Pacemaker
    starts or stops the VM's resource (target-role), or restarts it (pcs resource
    restart)."""

    @extend_schema(request=None, responses=CHANGED, operation_id="vm_power")
    def post(self, request: Request, cluster_pk: int, name: str, verb: str) -> Response:
        """Queue (or plan) the start, the stop or the restart."""
        if verb not in vm_actions.POWER_VERBS:
            raise NotFound(f"no VM action {verb[:60]!r}")
        change = vm_actions.vm_power(self.cluster, request.user, name, verb)
        return plan_or_queue(request, self.cluster, change)


class SplitBrainView(ClusterView):
    """POST /clusters/<id>/drbd/<res>/resolve-split-brain/ {"victim", "confirm"}
    [?plan=1]: the guided recovery as one operation over both nodes (the plan lists each
    command and the node it runs on); 409 no_split_brain when there is none."""

    body_serializer = SplitBrainBody

    @extend_schema(request=SplitBrainBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int, res: str) -> Response:
        """Queue (or plan) the recovery."""
        self.require("clusters.operate_cluster", f"resolve the split-brain of {res[:80]}")
        body = self.body()
        change = drbd_actions.resolve_split_brain(self.cluster, request.user, res, body)
        return plan_or_queue(request, self.cluster, change)


class BookStackView(ClusterView):
    """POST /clusters/<id>/setup/book-stack/ [?plan=1]: DRBD promotable + DLM + cLVM +
    filesystem + libvirtd clones + VirtualDomain, with the book's orders and colocations
    and the VM colocation the book forgot, as one staged change; 422 book_rules with
    every rule the cluster does not meet."""

    body_serializer = BookStackBody

    @extend_schema(request=BookStackBody, responses=CHANGED)
    def post(self, request: Request, cluster_pk: int) -> Response:
        """Queue (or plan) the whole stack."""
        self.require("clusters.administer_cluster", "set up the book's stack")
        body = self.body()
        return plan_or_queue(
            request, self.cluster, book_stack.book_stack(self.cluster, request.user, body)
        )
