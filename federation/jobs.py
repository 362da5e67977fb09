"""The federation job kinds and their handlers, registered by the composition root."""

from __future__ import annotations

from functools import partial

from commonsnode.commission_events import COMMISSION_EVENT_JOB
from commonsnode.credit_events import CREDIT_EVENT_JOB, CREDIT_REPLAY_JOB
from commonsnode.events import LISTING_EVENT_JOB
from commonsnode.jobs import Job
from commonsnode.rating_events import RATING_EVENT_JOB
from commonsnode.record_events import RECORD_EVENT_JOB
from commonsnode.report_events import REPORT_EVENT_JOB
from commonsnode.worker import HandlerRegistry, RetryPolicy
from federation import catalog
from federation.backfill import RELAYED_JOB, handle_backfill, handle_relayed
from federation.catalog import (
    BACKFILL_JOB,
    CATALOG_FANOUT_JOB,
    CATALOG_SEND_JOB,
    CatalogSender,
    CatalogSettings,
)
from federation.commission_events import handle_commission_event
from federation.credits import handle_credit_event, handle_credit_replay
from federation.delivery.fanout import handle_fanout
from federation.delivery.send import Sender
from federation.inbox.dispatch import Dispatcher, Incoming
from federation.inbox.handlers import (
    actors,
    announce,
    contract_objects,
    credit_objects,
    objects,
    offers,
    public_request_objects,
    reactions,
)
from federation.inbox.receive import INBOX_JOB
from federation.listings import handle_listing_event
from federation.maintenance import PRUNE_JOB, prune
from federation.outbox import FANOUT_JOB, SEND_JOB
from federation.ratings import handle_rating_event
from federation.records import handle_record_event
from federation.reports import FLAG_SEND_JOB, handle_flag_send, handle_report_event
from federation.runtime import Federation

# Delivery decides itself when to give up (federation/delivery/retry.py spans days); the
# worker's own cap only stops a job whose worker keeps dying.
DELIVERY_RETRY = RetryPolicy(max_attempts=1000, base_delay=30.0, max_delay=6 * 3600.0)
INBOX_RETRY = RetryPolicy(max_attempts=8, base_delay=10.0, max_delay=3600.0)
# A commission step waits for a party's node to be reachable for about a day and a half (the
# 16th attempt comes ~38 h after the first) before the last attempt leaves out recipients still
# unresolvable: a bid or a signature must not be dropped because a node was down for an hour.
COMMISSION_RETRY = RetryPolicy(max_attempts=16, base_delay=30.0, max_delay=6 * 3600.0)


def dispatcher(fed: Federation, settings: CatalogSettings | None = None) -> Dispatcher:
    """Every activity type this node understands, one handler each."""
    registry = Dispatcher(fed)
    catalog_settings = settings or CatalogSettings()

    async def handle_announce(fed: Federation, incoming: Incoming) -> None:
        await announce.handle_announce(fed, incoming, catalog_settings)

    # The follow handshake of the catalog actor first; the organisations' otherwise.
    registry.register("Follow", catalog.handle_follow)
    registry.register("Accept", offers.accept_with_offers(catalog.handle_accept))
    registry.register("Reject", offers.reject_with_offers(catalog.handle_reject))
    registry.register("Offer", offers.handle_offer)
    registry.register("Add", contract_objects.handle_add)
    registry.register("Undo", reactions.undo_with_likes(catalog.handle_undo))
    registry.register(
        "Announce",
        credit_objects.announce_with_credits(
            public_request_objects.announce_with_public_requests(handle_announce),
            catalog_settings,
        ),
    )
    registry.register(
        "Create",
        public_request_objects.create_with_public_requests(
            contract_objects.create_with_contracts(objects.handle_create)
        ),
    )
    # the actor's own go on to actors.py
    registry.register("Update", contract_objects.update_with_contracts(objects.handle_update))
    registry.register("Delete", objects.handle_delete)  # the actor's own go on to actors.py
    registry.register("Block", actors.handle_block)
    registry.register("Like", reactions.handle_like)
    registry.register("Flag", reactions.handle_flag)
    return registry


def register_jobs(
    registry: HandlerRegistry,
    fed: Federation,
    sender: Sender,
    settings: CatalogSettings | None = None,
) -> Dispatcher:
    """Register inbox processing, fan-out and delivery; returns the activity dispatcher."""
    catalog_settings = settings or CatalogSettings()
    activities = dispatcher(fed, catalog_settings)
    catalog_sender = CatalogSender(fed)

    async def catalog_fanout(job: Job) -> None:
        await catalog.handle_fanout(fed, job)

    async def backfill(job: Job) -> None:
        await handle_backfill(fed, catalog_settings, job, max_attempts=INBOX_RETRY.max_attempts)

    async def relayed(job: Job) -> None:
        await handle_relayed(fed, catalog_settings, job)

    async def fanout(job: Job) -> None:
        await handle_fanout(fed, job)

    async def housekeeping(job: Job) -> None:
        await prune(fed, job)

    async def listing_event(job: Job) -> None:
        await handle_listing_event(fed, job)

    async def report_event(job: Job) -> None:
        await handle_report_event(fed, job)

    async def flag_send(job: Job) -> None:
        await handle_flag_send(fed, job)

    registry.register(REPORT_EVENT_JOB, report_event, retry=INBOX_RETRY, timeout=120.0)
    registry.register(FLAG_SEND_JOB, flag_send, retry=INBOX_RETRY, timeout=120.0)
    registry.register(INBOX_JOB, activities.handle_job, retry=INBOX_RETRY, timeout=120.0)
    registry.register(PRUNE_JOB, housekeeping, retry=INBOX_RETRY, timeout=600.0)
    registry.register(FANOUT_JOB, fanout, retry=INBOX_RETRY, timeout=300.0)
    registry.register(LISTING_EVENT_JOB, listing_event, retry=INBOX_RETRY, timeout=120.0)
    registry.register(
        RATING_EVENT_JOB, partial(handle_rating_event, fed), retry=INBOX_RETRY, timeout=120.0
    )
    registry.register(RECORD_EVENT_JOB, partial(handle_record_event, fed), retry=INBOX_RETRY)
    registry.register(
        CREDIT_EVENT_JOB, partial(handle_credit_event, fed), retry=INBOX_RETRY, timeout=120.0
    )
    registry.register(
        CREDIT_REPLAY_JOB,
        partial(handle_credit_replay, fed, catalog_settings),
        retry=INBOX_RETRY,
        timeout=120.0,
    )
    registry.register(
        COMMISSION_EVENT_JOB,
        partial(handle_commission_event, fed, max_attempts=COMMISSION_RETRY.max_attempts),
        retry=COMMISSION_RETRY,
        timeout=120.0,
    )
    registry.register(SEND_JOB, partial(Sender.deliver, sender), retry=DELIVERY_RETRY, timeout=60.0)
    registry.register(CATALOG_FANOUT_JOB, catalog_fanout, retry=INBOX_RETRY, timeout=300.0)
    registry.register(
        CATALOG_SEND_JOB,
        partial(Sender.deliver, catalog_sender),
        retry=DELIVERY_RETRY,
        timeout=60.0,
    )
    registry.register(BACKFILL_JOB, backfill, retry=INBOX_RETRY, timeout=600.0)
    registry.register(RELAYED_JOB, relayed, retry=INBOX_RETRY, timeout=120.0)
    return activities
