-- SPDX-License-Identifier: MIT
-- 014_number_clashes.sql — a party card number or national ID number held
-- by two members is no longer refused. The unique indexes made the verdict
-- on a member.add depend on which of two communes' entries a store took in
-- first, and on whether it held the other at all: a hub rejected one
-- commune's member that the commune's own replica had applied, so their
-- digests differed, and the rejection's reason named the other commune's
-- member (docs/PROTOCOL.md, "Numbers recorded twice"). Both records are
-- now kept, and the clash is shown to both owners and to the committees
-- above them ('report clashes', 'status', /v1/status), identically
-- wherever both entries are held.
--
-- Entries rejected under the old rule are judged again: common/ledger.c
-- re-projects a store whose rules version (meta 'rules') is older than
-- the binary's, once, when it is opened.

DROP INDEX members_card;
DROP INDEX members_national_id;
CREATE INDEX members_card ON members (card_no) WHERE card_no IS NOT NULL;
CREATE INDEX members_national_id ON members (national_id)
	WHERE national_id IS NOT NULL;
