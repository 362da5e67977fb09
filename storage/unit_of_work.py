"""Implements commonsnode.ports.UnitOfWork: one transaction with the repositories bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from commonsnode.clock import Clock
from commonsnode.model.records import DeploymentTerms, OfferTerms
from storage.db import Database
from storage.inbox_log import SqlInboxLog, SqlTombstoneRepository
from storage.queue import SqlJobOutbox
from storage.repositories.activities import SqlActivityRepository
from storage.repositories.actors import SqlRemoteActorRepository
from storage.repositories.bids import SqlBidRepository
from storage.repositories.catalog import SqlCatalogRepository
from storage.repositories.commission_links import SqlCommissionLinkRepository
from storage.repositories.commission_requests import SqlCommissionRequestRepository
from storage.repositories.contracts import SqlContractRepository
from storage.repositories.credits import SqlCreditRepository
from storage.repositories.flags import SqlFlagRepository
from storage.repositories.follows import SqlFollowRepository
from storage.repositories.keys import SqlKeyRepository
from storage.repositories.ledger import SqlLedgerRepository
from storage.repositories.listing_records import (
    SqlListingRecordRepository,
    deployment_repository,
    support_offer_repository,
)
from storage.repositories.listings import SqlListingRepository
from storage.repositories.moderation import SqlHostStateRepository, SqlModerationRepository
from storage.repositories.organisations import SqlOrganisationRepository
from storage.repositories.privacy import SqlPrivacyRepository
from storage.repositories.ratings import SqlRatingRepository
from storage.repositories.reports import SqlReportRepository
from storage.repositories.reputation import SqlReputationRepository
from storage.repositories.tokens import SqlTokenRepository


@dataclass(slots=True)
class SqlUnitOfWork:
    organisations: SqlOrganisationRepository
    keys: SqlKeyRepository
    tokens: SqlTokenRepository
    jobs: SqlJobOutbox
    actors: SqlRemoteActorRepository
    inbox_log: SqlInboxLog
    tombstones: SqlTombstoneRepository
    follows: SqlFollowRepository
    listings: SqlListingRepository
    activities: SqlActivityRepository
    moderation: SqlModerationRepository
    hosts: SqlHostStateRepository
    catalog: SqlCatalogRepository
    ratings: SqlRatingRepository
    deployments: SqlListingRecordRepository[DeploymentTerms]
    support_offers: SqlListingRecordRepository[OfferTerms]
    credits: SqlCreditRepository
    commission_requests: SqlCommissionRequestRepository
    bids: SqlBidRepository
    contracts: SqlContractRepository
    ledger: SqlLedgerRepository
    commission_links: SqlCommissionLinkRepository
    reports: SqlReportRepository
    flags: SqlFlagRepository
    privacy: SqlPrivacyRepository
    reputation: SqlReputationRepository


class SqlUnitOfWorkFactory:
    """Opens units of work on one Database; callable as `async with uow() as tx:`."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    @asynccontextmanager
    async def __call__(self, *, readonly: bool = False) -> AsyncIterator[SqlUnitOfWork]:
        dialect = self._db.dialect
        async with self._db.transaction(readonly=readonly) as connection:
            yield SqlUnitOfWork(
                organisations=SqlOrganisationRepository(connection),
                keys=SqlKeyRepository(connection),
                tokens=SqlTokenRepository(connection),
                jobs=SqlJobOutbox(connection, dialect, self._clock),
                actors=SqlRemoteActorRepository(connection, dialect),
                inbox_log=SqlInboxLog(connection, dialect),
                tombstones=SqlTombstoneRepository(connection, dialect),
                follows=SqlFollowRepository(connection, dialect),
                listings=SqlListingRepository(connection),
                activities=SqlActivityRepository(connection),
                moderation=SqlModerationRepository(connection, dialect),
                hosts=SqlHostStateRepository(connection, dialect),
                catalog=SqlCatalogRepository(connection, dialect),
                ratings=SqlRatingRepository(connection),
                deployments=deployment_repository(connection),
                support_offers=support_offer_repository(connection),
                credits=SqlCreditRepository(connection, dialect),
                commission_requests=SqlCommissionRequestRepository(connection, dialect),
                bids=SqlBidRepository(connection),
                contracts=SqlContractRepository(connection, dialect),
                ledger=SqlLedgerRepository(connection),
                commission_links=SqlCommissionLinkRepository(connection),
                reports=SqlReportRepository(connection, dialect),
                flags=SqlFlagRepository(connection),
                privacy=SqlPrivacyRepository(connection, dialect),
                reputation=SqlReputationRepository(connection, dialect),
            )
