// MailboxLookupSession and MailboxAdminSession, and sessions bound to
// mailboxes.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");

struct MailboxFixture {
    Fixture &f;
    std::unique_ptr<messaging::MailboxLookupSession> mailboxLookup = f.manager->getMailboxLookupSession();
    std::unique_ptr<messaging::MailboxAdminSession> mailboxAdmin = f.manager->getMailboxAdminSession();
};

} // namespace

void addMailboxChecks(Suite &suite)
{
    auto add = suite.area("MailboxLookupSession", {Feature::MessageBatchAdmin, Feature::MessageLookup,
                                                   Feature::MailboxLookup, Feature::MailboxAdmin});

    add("getMailboxes lists the default mailbox, which the plain sessions are bound to", [](Fixture &f) {
        MailboxFixture x{f};
        EXPECT(x.mailboxLookup->canLookupMailboxes());
        const Id defaultId = f.manager->getMessageLookupSession()->getMailboxId();
        EXPECT_FALSE(defaultId.isNull());
        EXPECT_EQ(f.batchManager->getMessageBatchAdminSession()->getMailboxId(), defaultId);
        EXPECT(idSet(x.mailboxLookup->getMailboxes()).count(defaultId) == 1);
        EXPECT_EQ(x.mailboxLookup->getMailbox(defaultId)->getId(), defaultId);
    });

    add("getMailbox raises NotFound for an unknown Id and NullArgument for the null Id", [](Fixture &f) {
        MailboxFixture x{f};
        const Id defaultId = f.session->getMailboxId();
        EXPECT_THROWS(NotFound, x.mailboxLookup->getMailbox(Id("example.org", "messaging.Mailbox", "1")));
        EXPECT_THROWS(NotFound,
                      x.mailboxLookup->getMailbox(Id(defaultId.getAuthority(), defaultId.getIdentifierNamespace(),
                                                     unknownId("mailbox").getIdentifier())));
        EXPECT_THROWS(NullArgument, x.mailboxLookup->getMailbox(Id()));
    });

    add("getMailboxes lists every mailbox, new ones included", [](Fixture &f) {
        MailboxFixture x{f};
        auto before = idSet(x.mailboxLookup->getMailboxes());
        EXPECT(before.count(f.session->getMailboxId()) == 1);
        const Id work = f.newMailbox("Work");
        const Id home = f.newMailbox("Home");
        auto expected = before;
        expected.insert({work, home});
        EXPECT(idSet(x.mailboxLookup->getMailboxes()) == expected);
        EXPECT_EQ(collect(x.mailboxLookup->getMailboxes()).size(), before.size() + 2);
    });

    add("in the plenary view getMailboxesByIds returns every mailbox in the order asked", [](Fixture &f) {
        MailboxFixture x{f};
        const Id defaultId = f.session->getMailboxId();
        const Id work = f.newMailbox("Work");
        const Id home = f.newMailbox("Home");
        x.mailboxLookup->usePlenaryMailboxView();
        VectorList<IdList> ids({home, defaultId, work});
        EXPECT(idSequence(x.mailboxLookup->getMailboxesByIds(ids)) == std::vector<Id>{home, defaultId, work});
    });

    add("in the plenary view getMailboxesByIds raises NotFound when one Id is missing", [](Fixture &f) {
        MailboxFixture x{f};
        const Id work = f.newMailbox("Work");
        x.mailboxLookup->usePlenaryMailboxView();
        VectorList<IdList> ids({work, Id("example.org", "messaging.Mailbox", "1")});
        EXPECT_THROWS(NotFound, x.mailboxLookup->getMailboxesByIds(ids));
    });

    add("in the comparative view getMailboxesByIds leaves out unknown Ids", [](Fixture &f) {
        MailboxFixture x{f};
        const Id work = f.newMailbox("Work");
        f.newMailbox("Not asked for");
        VectorList<IdList> ids({Id("example.org", "messaging.Mailbox", "1"), work});
        EXPECT_EQ(idSet(x.mailboxLookup->getMailboxesByIds(ids)), std::set<Id>{work});

        x.mailboxLookup->usePlenaryMailboxView();
        x.mailboxLookup->useComparativeMailboxView();
        VectorList<IdList> again({work, Id("example.org", "messaging.Mailbox", "1")});
        EXPECT_EQ(idSet(x.mailboxLookup->getMailboxesByIds(again)), std::set<Id>{work});
    });

    add("getMailboxesByIds raises NullArgument for a null Id in either view", [](Fixture &f) {
        MailboxFixture x{f};
        VectorList<IdList> comparative({f.session->getMailboxId(), Id()});
        EXPECT_THROWS(NullArgument, x.mailboxLookup->getMailboxesByIds(comparative));
        x.mailboxLookup->usePlenaryMailboxView();
        VectorList<IdList> plenary({f.session->getMailboxId(), Id()});
        EXPECT_THROWS(NullArgument, x.mailboxLookup->getMailboxesByIds(plenary));
    });

    auto addAdmin = suite.area("MailboxAdminSession", {Feature::MessageBatchAdmin, Feature::MessageLookup,
                                                       Feature::MailboxLookup, Feature::MailboxAdmin});

    addAdmin("createMailbox makes a mailbox with the display name, description and genus type of its form",
             [](Fixture &f) {
                 MailboxFixture x{f};
                 const Type genus("example.org", "genus", "shared");
                 EXPECT(x.mailboxAdmin->canCreateMailboxes());
                 auto form = x.mailboxAdmin->getMailboxFormForCreate({});
                 EXPECT_FALSE(form->isForUpdate());
                 EXPECT(collect(form->getRecordTypes()).empty());
                 form->setDisplayName("Work");
                 form->setDescription("Messages about work");
                 form->setGenusType(genus);
                 auto created = x.mailboxAdmin->createMailbox(*form);

                 EXPECT(created->getId() != f.session->getMailboxId());
                 EXPECT_EQ(created->getDisplayName().getText(), "Work");
                 EXPECT_EQ(created->getDescription().getText(), "Messages about work");
                 EXPECT_EQ(created->getGenusType(), genus);
                 auto found = x.mailboxLookup->getMailbox(created->getId());
                 EXPECT_EQ(found->getDisplayName().getText(), "Work");
                 EXPECT_EQ(found->getDescription().getText(), "Messages about work");
                 EXPECT(found->isOfGenusType(genus));
             });

    addAdmin("each created mailbox has its own Id", [](Fixture &f) {
        MailboxFixture x{f};
        const Id a = f.newMailbox("A");
        const Id b = f.newMailbox("B");
        EXPECT(a != b);
        EXPECT_EQ(x.mailboxLookup->getMailbox(a)->getDisplayName().getText(), "A");
        EXPECT_EQ(x.mailboxLookup->getMailbox(b)->getDisplayName().getText(), "B");
    });

    addAdmin("canCreateMailboxWithRecordTypes is true only for no records", [](Fixture &f) {
        MailboxFixture x{f};
        EXPECT(x.mailboxAdmin->canCreateMailboxWithRecordTypes({}));
        EXPECT_FALSE(x.mailboxAdmin->canCreateMailboxWithRecordTypes({kUnknownRecord}));
        EXPECT_FALSE(x.mailboxAdmin->canCreateMailboxWithRecordTypes({deliveryRecordType()}));
    });

    addAdmin("canCreateMailboxWithRecordTypes raises NullArgument for a null Type", [](Fixture &f) {
        MailboxFixture x{f};
        EXPECT_THROWS(NullArgument, x.mailboxAdmin->canCreateMailboxWithRecordTypes({Type()}));
    });

    addAdmin("canCreateMailboxWithRecordTypes raises NullArgument for a null Type even after an unsupported one",
             [](Fixture &f) {
                 MailboxFixture x{f};
                 // A hint must not answer false for an argument it must refuse.
                 EXPECT_THROWS(NullArgument, x.mailboxAdmin->canCreateMailboxWithRecordTypes({kUnknownRecord, Type()}));
             });

    addAdmin("getMailboxFormForCreate raises Unsupported for a record type and NullArgument for a null Type",
             [](Fixture &f) {
                 MailboxFixture x{f};
                 EXPECT_THROWS(Unsupported, x.mailboxAdmin->getMailboxFormForCreate({kUnknownRecord}));
                 EXPECT_THROWS(NullArgument, x.mailboxAdmin->getMailboxFormForCreate({Type()}));
             });

    addAdmin("a mailbox form that already created a mailbox cannot create another", [](Fixture &f) {
        MailboxFixture x{f};
        const auto before = collect(x.mailboxLookup->getMailboxes()).size();
        auto form = x.mailboxAdmin->getMailboxFormForCreate({});
        form->setDisplayName("Once");
        x.mailboxAdmin->createMailbox(*form);
        EXPECT_THROWS(IllegalState, x.mailboxAdmin->createMailbox(*form));
        EXPECT_EQ(collect(x.mailboxLookup->getMailboxes()).size(), before + 1);
    });

    addAdmin("a mailbox form from another session raises Unsupported and creates nothing", [](Fixture &f) {
        MailboxFixture x{f};
        const auto before = collect(x.mailboxLookup->getMailboxes()).size();
        auto other = f.manager->getMailboxAdminSession();
        auto foreign = other->getMailboxFormForCreate({});
        foreign->setDisplayName("Foreign");
        EXPECT_THROWS(Unsupported, x.mailboxAdmin->createMailbox(*foreign));
        EXPECT_EQ(collect(x.mailboxLookup->getMailboxes()).size(), before);
        EXPECT_EQ(other->createMailbox(*foreign)->getDisplayName().getText(), "Foreign");
    });

    addAdmin("a mailbox form from another manager raises Unsupported", [](Fixture &f) {
        MailboxFixture x{f};
        const auto before = collect(x.mailboxLookup->getMailboxes()).size();
        auto otherManager = f.newManager();
        auto foreign = otherManager->getMailboxAdminSession()->getMailboxFormForCreate({});
        EXPECT_THROWS(Unsupported, x.mailboxAdmin->createMailbox(*foreign));
        EXPECT_EQ(collect(x.mailboxLookup->getMailboxes()).size(), before);
    });

    addAdmin("a display name longer than its Metadata allows raises InvalidArgument at setDisplayName and keeps the "
             "old value",
             [](Fixture &f) {
                 MailboxFixture x{f};
                 // A mailbox form has no required element, so createMailbox can never
                 // see an invalid form: the setters refuse bad values first.
                 auto form = x.mailboxAdmin->getMailboxFormForCreate({});
                 const auto max = form->getDisplayNameMetadata().getMaximumStringLength();
                 EXPECT(max < 100'000);
                 form->setDisplayName("kept");
                 form->setDisplayName(std::string(max, 'x'));
                 form->setDisplayName("kept");
                 EXPECT_THROWS(InvalidArgument, form->setDisplayName(std::string(max + 1, 'x')));
                 EXPECT(form->isValid());
                 EXPECT_EQ(x.mailboxAdmin->createMailbox(*form)->getDisplayName().getText(), "kept");
             });

    addAdmin("a description longer than its Metadata allows raises InvalidArgument at setDescription", [](Fixture &f) {
        MailboxFixture x{f};
        auto form = x.mailboxAdmin->getMailboxFormForCreate({});
        const auto max = form->getDescriptionMetadata().getMaximumStringLength();
        EXPECT(max < 1'000'000);
        form->setDescription(std::string(max, 'x'));
        EXPECT_THROWS(InvalidArgument, form->setDescription(std::string(max + 1, 'x')));
    });

    addAdmin("an alias that names a message of another mailbox cannot be re-pointed from this one "
             "(AlreadyExists); once that message is gone, it can",
             [](Fixture &f) {
                 auto mine = f.importFrom(resource("alice"), 1);
                 const Id alias = legacyId("taken");
                 f.session->aliasMessage(mine[0], alias);

                 const Id other = f.newMailbox("Other");
                 auto otherAdmin = f.batchManager->getMessageBatchAdminSessionForMailbox(other);
                 const Id theirs = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
                 EXPECT_THROWS(AlreadyExists, otherAdmin->aliasMessage(theirs, alias));
                 VectorList<AliasRequestList> list({AliasRequest(theirs, alias)});
                 auto r = otherAdmin->aliasMessages(list)->getNextAliasResponse();
                 EXPECT_FALSE(r.isSuccessful());
                 EXPECT_EQ(r.getErrorCode(), ErrorCode::AlreadyExists);
                 EXPECT_EQ(f.lookup->getMessage(alias)->getId(), mine[0]);
                 EXPECT_THROWS(NotFound, f.manager->getMessageLookupSessionForMailbox(other)->getMessage(alias));

                 f.session->deleteMessage(mine[0]);
                 otherAdmin->aliasMessage(theirs, alias);
                 EXPECT_EQ(f.manager->getMessageLookupSessionForMailbox(other)->getMessage(alias)->getId(), theirs);
                 EXPECT_THROWS(NotFound, f.lookup->getMessage(alias));
             });

    addAdmin("deleteAllMessages in one mailbox leaves another mailbox's messages and aliases untouched",
             [](Fixture &f) {
                 auto kept = f.importFrom(resource("alice"), 2);
                 const Id alias = legacyId("kept");
                 f.session->aliasMessage(kept[0], alias);

                 const Id other = f.newMailbox("Other");
                 auto otherAdmin = f.batchManager->getMessageBatchAdminSessionForMailbox(other);
                 const Id doomed = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
                 otherAdmin->aliasMessage(doomed, legacyId("doomed"));

                 auto deleted = collect(otherAdmin->deleteAllMessages());
                 EXPECT_EQ(deleted.size(), 1);
                 EXPECT_EQ(deleted[0].getDeletedId(), doomed);
                 EXPECT(collect(f.manager->getMessageLookupSessionForMailbox(other)->getMessages()).empty());
                 EXPECT_EQ(f.visibleIds(), std::set<Id>(kept.begin(), kept.end()));
                 EXPECT_EQ(f.lookup->getMessage(alias)->getId(), kept[0]);
             });
}

} // namespace osid::conformance
