// MailboxLookupSession and MailboxAdminSession, and how mailboxes keep
// their messages apart.

#include "support/provider_fixture.h"

#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"

using namespace osid;
using namespace osid::testing;

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");

struct MailboxFixture : ProviderFixture {
    std::unique_ptr<messaging::MailboxLookupSession> mailboxLookup = manager->getMailboxLookupSession();
    std::unique_ptr<messaging::MailboxAdminSession> mailboxAdmin = manager->getMailboxAdminSession();
};

} // namespace

TEST_SUITE("MailboxLookupSession")
{
    TEST_CASE_FIXTURE(MailboxFixture, "a new store has one mailbox, the default one that sessions are bound to")
    {
        CHECK(mailboxLookup->canLookupMailboxes());
        auto mailboxes = collect(mailboxLookup->getMailboxes());
        REQUIRE(mailboxes.size() == 1);
        const Id defaultId = mailboxes[0]->getId();
        CHECK_FALSE(defaultId.isNull());
        CHECK(defaultId == session->getMailboxId());
        CHECK(defaultId == lookup->getMailboxId());
        CHECK(mailboxLookup->getMailbox(defaultId)->getId() == defaultId);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "getMailbox raises NotFound for an unknown Id and NullArgument for the null Id")
    {
        const Id defaultId = session->getMailboxId();
        CHECK_THROWS_AS(mailboxLookup->getMailbox(Id("example.org", "messaging.Mailbox", "1")), NotFound);
        CHECK_THROWS_AS(mailboxLookup->getMailbox(Id(defaultId.getAuthority(), defaultId.getIdentifierNamespace(), "99")),
                        NotFound);
        CHECK_THROWS_AS(mailboxLookup->getMailbox(Id()), NullArgument);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "getMailboxes lists every mailbox, new ones included")
    {
        const Id defaultId = session->getMailboxId();
        const Id work = newMailbox("Work");
        const Id home = newMailbox("Home");
        CHECK(idSet(mailboxLookup->getMailboxes()) == std::set<Id>{defaultId, work, home});
        CHECK(collect(mailboxLookup->getMailboxes()).size() == 3);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "in the plenary view getMailboxesByIds returns every mailbox in the order asked")
    {
        const Id defaultId = session->getMailboxId();
        const Id work = newMailbox("Work");
        const Id home = newMailbox("Home");
        mailboxLookup->usePlenaryMailboxView();
        VectorList<IdList> ids({home, defaultId, work});
        CHECK(idSequence(mailboxLookup->getMailboxesByIds(ids)) == std::vector<Id>{home, defaultId, work});
    }

    TEST_CASE_FIXTURE(MailboxFixture, "in the plenary view getMailboxesByIds raises NotFound when one Id is missing")
    {
        const Id work = newMailbox("Work");
        mailboxLookup->usePlenaryMailboxView();
        VectorList<IdList> ids({work, Id("example.org", "messaging.Mailbox", "1")});
        CHECK_THROWS_AS(mailboxLookup->getMailboxesByIds(ids), NotFound);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "in the comparative view getMailboxesByIds leaves out unknown Ids")
    {
        const Id work = newMailbox("Work");
        newMailbox("Not asked for");
        VectorList<IdList> ids({Id("example.org", "messaging.Mailbox", "1"), work});
        CHECK(idSet(mailboxLookup->getMailboxesByIds(ids)) == std::set<Id>{work});

        mailboxLookup->usePlenaryMailboxView();
        mailboxLookup->useComparativeMailboxView();
        VectorList<IdList> again({work, Id("example.org", "messaging.Mailbox", "1")});
        CHECK(idSet(mailboxLookup->getMailboxesByIds(again)) == std::set<Id>{work});
    }

    TEST_CASE_FIXTURE(MailboxFixture, "getMailboxesByIds raises NullArgument for a null Id in either view")
    {
        VectorList<IdList> comparative({session->getMailboxId(), Id()});
        CHECK_THROWS_AS(mailboxLookup->getMailboxesByIds(comparative), NullArgument);
        mailboxLookup->usePlenaryMailboxView();
        VectorList<IdList> plenary({session->getMailboxId(), Id()});
        CHECK_THROWS_AS(mailboxLookup->getMailboxesByIds(plenary), NullArgument);
    }
}

TEST_SUITE("MailboxAdminSession")
{
    TEST_CASE_FIXTURE(MailboxFixture, "createMailbox makes a mailbox with the display name, description and genus type of its form")
    {
        const Type genus("example.org", "genus", "shared");
        CHECK(mailboxAdmin->canCreateMailboxes());
        auto form = mailboxAdmin->getMailboxFormForCreate({});
        CHECK_FALSE(form->isForUpdate());
        CHECK(collect(form->getRecordTypes()).empty());
        form->setDisplayName("Work");
        form->setDescription("Messages about work");
        form->setGenusType(genus);
        auto created = mailboxAdmin->createMailbox(*form);

        CHECK(created->getId() != session->getMailboxId());
        CHECK(created->getDisplayName().getText() == "Work");
        CHECK(created->getDescription().getText() == "Messages about work");
        CHECK(created->getGenusType() == genus);
        auto found = mailboxLookup->getMailbox(created->getId());
        CHECK(found->getDisplayName().getText() == "Work");
        CHECK(found->getDescription().getText() == "Messages about work");
        CHECK(found->isOfGenusType(genus));
    }

    TEST_CASE_FIXTURE(MailboxFixture, "each created mailbox has its own Id")
    {
        const Id a = newMailbox("A");
        const Id b = newMailbox("B");
        CHECK(a != b);
        CHECK(mailboxLookup->getMailbox(a)->getDisplayName().getText() == "A");
        CHECK(mailboxLookup->getMailbox(b)->getDisplayName().getText() == "B");
    }

    TEST_CASE_FIXTURE(MailboxFixture, "canCreateMailboxWithRecordTypes is true only for no records")
    {
        CHECK(mailboxAdmin->canCreateMailboxWithRecordTypes({}));
        CHECK_FALSE(mailboxAdmin->canCreateMailboxWithRecordTypes({kUnknownRecord}));
        CHECK_FALSE(mailboxAdmin->canCreateMailboxWithRecordTypes({deliveryRecordType()}));
    }

    TEST_CASE_FIXTURE(MailboxFixture, "canCreateMailboxWithRecordTypes raises NullArgument for a null Type")
    {
        CHECK_THROWS_AS(mailboxAdmin->canCreateMailboxWithRecordTypes({Type()}), NullArgument);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "canCreateMailboxWithRecordTypes raises NullArgument for a null Type even after an unsupported one")
    {
        // A hint must not answer false for an argument it must refuse.
        CHECK_THROWS_AS(mailboxAdmin->canCreateMailboxWithRecordTypes({kUnknownRecord, Type()}), NullArgument);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "getMailboxFormForCreate raises Unsupported for a record type and NullArgument for a null Type")
    {
        CHECK_THROWS_AS(mailboxAdmin->getMailboxFormForCreate({kUnknownRecord}), Unsupported);
        CHECK_THROWS_AS(mailboxAdmin->getMailboxFormForCreate({Type()}), NullArgument);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "a mailbox form that already created a mailbox cannot create another")
    {
        auto form = mailboxAdmin->getMailboxFormForCreate({});
        form->setDisplayName("Once");
        mailboxAdmin->createMailbox(*form);
        CHECK_THROWS_AS(mailboxAdmin->createMailbox(*form), IllegalState);
        CHECK(collect(mailboxLookup->getMailboxes()).size() == 2);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "a mailbox form from another session raises Unsupported and creates nothing")
    {
        auto other = manager->getMailboxAdminSession();
        auto foreign = other->getMailboxFormForCreate({});
        foreign->setDisplayName("Foreign");
        CHECK_THROWS_AS(mailboxAdmin->createMailbox(*foreign), Unsupported);
        CHECK(collect(mailboxLookup->getMailboxes()).size() == 1);
        CHECK(other->createMailbox(*foreign)->getDisplayName().getText() == "Foreign");
    }

    TEST_CASE_FIXTURE(MailboxFixture, "a mailbox form from another manager raises Unsupported")
    {
        auto otherManager = impl::memory::makeMemoryMessagingManager();
        auto foreign = otherManager->getMailboxAdminSession()->getMailboxFormForCreate({});
        CHECK_THROWS_AS(mailboxAdmin->createMailbox(*foreign), Unsupported);
        CHECK(collect(mailboxLookup->getMailboxes()).size() == 1);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "a display name longer than its Metadata allows raises InvalidArgument at setDisplayName and keeps the old value")
    {
        // A mailbox form has no required element, so createMailbox can never
        // see an invalid form: the setters refuse bad values first.
        auto form = mailboxAdmin->getMailboxFormForCreate({});
        const auto max = form->getDisplayNameMetadata().getMaximumStringLength();
        REQUIRE(max < 100'000);
        form->setDisplayName("kept");
        CHECK_NOTHROW(form->setDisplayName(std::string(max, 'x')));
        form->setDisplayName("kept");
        CHECK_THROWS_AS(form->setDisplayName(std::string(max + 1, 'x')), InvalidArgument);
        CHECK(form->isValid());
        CHECK(mailboxAdmin->createMailbox(*form)->getDisplayName().getText() == "kept");
    }

    TEST_CASE_FIXTURE(MailboxFixture, "a description longer than its Metadata allows raises InvalidArgument at setDescription")
    {
        auto form = mailboxAdmin->getMailboxFormForCreate({});
        const auto max = form->getDescriptionMetadata().getMaximumStringLength();
        REQUIRE(max < 1'000'000);
        CHECK_NOTHROW(form->setDescription(std::string(max, 'x')));
        CHECK_THROWS_AS(form->setDescription(std::string(max + 1, 'x')), InvalidArgument);
    }

    TEST_CASE_FIXTURE(MailboxFixture, "deleteAllMessages in one mailbox leaves another mailbox's messages and aliases untouched")
    {
        auto kept = importFrom(resource("alice"), 2);
        const Id alias("legacy.example.org", "mail", "kept");
        session->aliasMessage(kept[0], alias);

        const Id other = newMailbox("Other");
        auto otherAdmin = batchManager->getMessageBatchAdminSessionForMailbox(other);
        const Id doomed = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        otherAdmin->aliasMessage(doomed, Id("legacy.example.org", "mail", "doomed"));

        auto deleted = collect(otherAdmin->deleteAllMessages());
        REQUIRE(deleted.size() == 1);
        CHECK(deleted[0].getDeletedId() == doomed);
        CHECK(collect(manager->getMessageLookupSessionForMailbox(other)->getMessages()).empty());
        CHECK(visibleIds() == std::set<Id>(kept.begin(), kept.end()));
        CHECK(lookup->getMessage(alias)->getId() == kept[0]);
    }
}
