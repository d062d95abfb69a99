// MessageAdminSession: the single-item create, update, delete and alias
// calls, from the admin session and from the batch session that extends it.

#include "checks.h"

#include <algorithm>
#include <map>
#include <set>

namespace osid::conformance {

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");

// An Id in the same authority and namespace as `id`.
Id sibling(const Id &id, const std::string &identifier)
{
    return Id(id.getAuthority(), id.getIdentifierNamespace(), identifier);
}

struct AdminFixture {
    Fixture &f;
    std::unique_ptr<messaging::MessageAdminSession> admin = f.manager->getMessageAdminSessionForMailbox(f.mailboxId);

    // A new draft with `subject` and `text`.
    Id draft(const std::string &subject, const std::string &text = "text")
    {
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        form->setText(text);
        return admin->createMessage(*form)->getId();
    }
};

} // namespace

void addAdminChecks(Suite &suite)
{
    auto add =
        suite.area("MessageAdminSession", {Feature::MessageBatchAdmin, Feature::MessageLookup, Feature::MessageAdmin});

    add("admin sessions from either manager are bound to the mailbox asked for, the plain ones to the default",
        {Feature::MailboxLookup}, [](Fixture &f) {
            AdminFixture x{f};
            EXPECT_EQ(x.admin->getMailboxId(), f.mailboxId);
            EXPECT_EQ(x.admin->getMailbox()->getId(), f.mailboxId);
            EXPECT_EQ(f.session->getMailboxId(), f.mailboxId);
            EXPECT_EQ(f.session->getMailbox()->getId(), f.mailboxId);
            const Id defaultId = f.manager->getMessageAdminSession()->getMailboxId();
            EXPECT_EQ(f.batchManager->getMessageBatchAdminSession()->getMailboxId(), defaultId);
            EXPECT(idSet(f.manager->getMailboxLookupSession()->getMailboxes()).count(defaultId) == 1);
        });

    add("an admin session for another mailbox reports that mailbox", [](Fixture &f) {
        AdminFixture x{f};
        const Id other = f.newMailbox("Other");
        auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(other);
        EXPECT_EQ(otherAdmin->getMailboxId(), other);
        EXPECT_EQ(otherAdmin->getMailbox()->getId(), other);
        EXPECT_EQ(otherAdmin->getMailbox()->getDisplayName().getText(), "Other");
        EXPECT(x.admin->getMailboxId() != other);
    });

    add("the permission hints are all true since this provider denies nothing", [](Fixture &f) {
        AdminFixture x{f};
        EXPECT(x.admin->canCreateMessages());
        EXPECT(x.admin->canUpdateMessages());
        EXPECT(x.admin->canDeleteMessages());
        EXPECT(x.admin->canManageMessageAliases());
        EXPECT(f.session->canCreateMessages());
        EXPECT(f.session->canUpdateMessages());
        EXPECT(f.session->canDeleteMessages());
        EXPECT(f.session->canManageMessageAliases());
    });

    add("canCreateMessageWithRecordTypes is true exactly for no records or the delivery record", [](Fixture &f) {
        AdminFixture x{f};
        EXPECT(x.admin->canCreateMessageWithRecordTypes({}));
        EXPECT(x.admin->canCreateMessageWithRecordTypes({deliveryRecordType()}));
        EXPECT_FALSE(x.admin->canCreateMessageWithRecordTypes({kUnknownRecord}));
        EXPECT_FALSE(x.admin->canCreateMessageWithRecordTypes({deliveryRecordType(), kUnknownRecord}));
    });

    add("canCreateMessageWithRecordTypes raises NullArgument for a null Type", [](Fixture &f) {
        AdminFixture x{f};
        EXPECT_THROWS(NullArgument, x.admin->canCreateMessageWithRecordTypes({Type()}));
        EXPECT_THROWS(NullArgument, x.admin->canCreateMessageWithRecordTypes({deliveryRecordType(), Type()}));
    });

    add("canCreateMessageWithRecordTypes raises NullArgument for a null Type even after an unsupported one",
        [](Fixture &f) {
            AdminFixture x{f};
            // A hint must not answer false for an argument it must refuse.
            EXPECT_THROWS(NullArgument, x.admin->canCreateMessageWithRecordTypes({kUnknownRecord, Type()}));
        });

    add("getMessageFormForCreate gives a new create form carrying the record types asked for", [](Fixture &f) {
        AdminFixture x{f};
        auto plain = x.admin->getMessageFormForCreate({});
        auto delivery = x.admin->getMessageFormForCreate({deliveryRecordType()});
        EXPECT_FALSE(plain->isForUpdate());
        EXPECT_FALSE(delivery->isForUpdate());
        EXPECT(plain->getId() != delivery->getId());
        EXPECT_FALSE(plain->hasRecordType(deliveryRecordType()));
        EXPECT(delivery->hasRecordType(deliveryRecordType()));
        deliveryFormRecord(*delivery);
    });

    add("getMessageFormForCreate raises Unsupported for an unknown record type and NullArgument for a null Type",
        [](Fixture &f) {
            AdminFixture x{f};
            EXPECT_THROWS(Unsupported, x.admin->getMessageFormForCreate({kUnknownRecord}));
            EXPECT_THROWS(Unsupported, x.admin->getMessageFormForCreate({deliveryRecordType(), kUnknownRecord}));
            EXPECT_THROWS(NullArgument, x.admin->getMessageFormForCreate({Type()}));
        });

    add("createMessage returns the new message holding the form's values", [](Fixture &f) {
        AdminFixture x{f};
        const Type genus("example.org", "genus", "memo");
        auto form = x.admin->getMessageFormForCreate({});
        form->setSubjectLine("hello");
        form->setText("world");
        form->setDisplayName("greeting");
        form->setDescription("a short greeting");
        form->setGenusType(genus);
        auto message = x.admin->createMessage(*form);

        EXPECT(message->getId() != form->getId());
        EXPECT_EQ(message->getSubjectLine().getText(), "hello");
        EXPECT_EQ(message->getText().getText(), "world");
        EXPECT_EQ(message->getDisplayName().getText(), "greeting");
        EXPECT_EQ(message->getDescription().getText(), "a short greeting");
        EXPECT_EQ(message->getGenusType(), genus);
        EXPECT(message->isOfGenusType(genus));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{message->getId()});
        EXPECT_EQ(f.lookup->getMessage(message->getId())->getSubjectLine().getText(), "hello");
    });

    add("a message created without the delivery record is an unsent draft", [](Fixture &f) {
        AdminFixture x{f};
        auto form = x.admin->getMessageFormForCreate({});
        form->setSubjectLine("draft");
        auto message = x.admin->createMessage(*form);
        EXPECT_FALSE(message->isSent());
        EXPECT_FALSE(message->hasRecordType(deliveryRecordType()));
        EXPECT_THROWS(IllegalState, message->getSenderId());
        EXPECT_THROWS(IllegalState, message->getSentTime());
        EXPECT_FALSE(f.lookup->getMessage(message->getId())->isSent());
    });

    add("a form that already created a message cannot create another", [](Fixture &f) {
        AdminFixture x{f};
        auto form = x.admin->getMessageFormForCreate({});
        form->setSubjectLine("once");
        auto first = x.admin->createMessage(*form)->getId();
        EXPECT_THROWS(IllegalState, x.admin->createMessage(*form));
        form->setSubjectLine("changed after success");
        EXPECT_THROWS(IllegalState, x.admin->createMessage(*form));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{first});
    });

    add("a form that is not valid raises InvalidArgument and creates nothing", [](Fixture &f) {
        AdminFixture x{f};
        auto form = x.admin->getMessageFormForCreate({deliveryRecordType()});
        form->setSubjectLine("no sender");
        deliveryFormRecord(*form).setSentTime(at(0));
        EXPECT_FALSE(form->isValid());
        EXPECT_THROWS(InvalidArgument, x.admin->createMessage(*form));
        EXPECT(f.visibleIds().empty());
    });

    add("a form whose create failed may be fixed and submitted again", [](Fixture &f) {
        AdminFixture x{f};
        auto form = x.admin->getMessageFormForCreate({deliveryRecordType()});
        form->setSubjectLine("fixed later");
        deliveryFormRecord(*form).setSentTime(at(5));
        EXPECT_THROWS(InvalidArgument, x.admin->createMessage(*form));

        deliveryFormRecord(*form).setSender(resource("alice"));
        auto message = x.admin->createMessage(*form);
        EXPECT_EQ(message->getSubjectLine().getText(), "fixed later");
        EXPECT_EQ(message->getSenderId(), resource("alice"));
        EXPECT_EQ(message->getSentTime(), at(5));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{message->getId()});
    });

    add("a create form from another session raises Unsupported and stays usable where it came from", [](Fixture &f) {
        AdminFixture x{f};
        auto other = f.manager->getMessageAdminSession();
        auto foreign = other->getMessageFormForCreate({});
        foreign->setSubjectLine("foreign");
        EXPECT_THROWS(Unsupported, x.admin->createMessage(*foreign));
        EXPECT_THROWS(Unsupported, f.session->createMessage(*foreign));
        EXPECT(f.visibleIds().empty());
        EXPECT_EQ(other->createMessage(*foreign)->getSubjectLine().getText(), "foreign");
    });

    add("a create form from another manager raises Unsupported", [](Fixture &f) {
        AdminFixture x{f};
        auto otherManager = f.newManager();
        auto foreign = otherManager->getMessageAdminSession()->getMessageFormForCreate({});
        EXPECT_THROWS(Unsupported, x.admin->createMessage(*foreign));
        EXPECT(f.visibleIds().empty());
    });

    add("an update form raises Unsupported when submitted for a create", [](Fixture &f) {
        AdminFixture x{f};
        const Id existing = x.draft("existing");
        auto updateForm = x.admin->getMessageFormForUpdate(existing);
        updateForm->setSubjectLine("copy?");
        EXPECT_THROWS(Unsupported, x.admin->createMessage(*updateForm));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{existing});
        EXPECT_EQ(f.lookup->getMessage(existing)->getSubjectLine().getText(), "existing");
    });

    add("getMessageFormForUpdate gives an update form holding the message's current values", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("current subject", "current text");
        auto form = x.admin->getMessageFormForUpdate(id);
        EXPECT(form->isForUpdate());
        EXPECT(form->getId() != id);
        EXPECT_EQ(form->getSubjectLineMetadata().getExistingStringValues(),
                  std::vector<std::string>{"current subject"});
        EXPECT_EQ(form->getTextMetadata().getExistingStringValues(), std::vector<std::string>{"current text"});
        EXPECT(x.admin->getMessageFormForUpdate(id)->getId() != form->getId());
    });

    add("getMessageFormForUpdate raises NotFound for an unknown Id and NullArgument for the null Id", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("known");
        EXPECT_THROWS(NotFound, x.admin->getMessageFormForUpdate(Id("example.org", "messaging.Message", "1")));
        EXPECT_THROWS(NotFound, x.admin->getMessageFormForUpdate(sibling(id, "999999")));
        EXPECT_THROWS(NullArgument, x.admin->getMessageFormForUpdate(Id()));
    });

    add("getMessageFormForUpdate raises NotFound for a message of another mailbox", [](Fixture &f) {
        AdminFixture x{f};
        auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(f.newMailbox("Other"));
        auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        EXPECT_THROWS(NotFound, x.admin->getMessageFormForUpdate(elsewhere));
        otherAdmin->getMessageFormForUpdate(elsewhere);
    });

    add("updateMessage changes only the elements set on the form, as lookup shows", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("old subject", "kept text");
        const Id untouched = x.draft("other", "other text");
        auto form = x.admin->getMessageFormForUpdate(id);
        form->setSubjectLine("new subject");
        form->setDisplayName("renamed");
        x.admin->updateMessage(*form);

        auto message = f.lookup->getMessage(id);
        EXPECT_EQ(message->getSubjectLine().getText(), "new subject");
        EXPECT_EQ(message->getDisplayName().getText(), "renamed");
        EXPECT_EQ(message->getText().getText(), "kept text");
        EXPECT_EQ(f.lookup->getMessage(untouched)->getSubjectLine().getText(), "other");
    });

    add("updateMessage can change the delivery values of an imported message", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = f.import({{"imported", "text", resource("alice"), at(0), {resource("bob")}}}).front();
        auto form = x.admin->getMessageFormForUpdate(id);
        auto &delivery = deliveryFormRecord(*form);
        delivery.setRecipients({resource("carol"), resource("dave")});
        delivery.setReceivedTime(at(30));
        x.admin->updateMessage(*form);

        auto message = f.lookup->getMessage(id);
        EXPECT(collect(message->getRecipientIds()) == std::vector<Id>{resource("carol"), resource("dave")});
        EXPECT_EQ(message->getReceivedTime(), at(30));
        EXPECT_EQ(message->getSenderId(), resource("alice"));
        EXPECT_EQ(message->getSentTime(), at(0));
    });

    add("an update form that already updated its message cannot update it again", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("first");
        auto form = x.admin->getMessageFormForUpdate(id);
        form->setSubjectLine("second");
        x.admin->updateMessage(*form);

        auto later = x.admin->getMessageFormForUpdate(id);
        later->setSubjectLine("third");
        x.admin->updateMessage(*later);

        EXPECT_THROWS(IllegalState, x.admin->updateMessage(*form));
        EXPECT_EQ(f.lookup->getMessage(id)->getSubjectLine().getText(), "third");
    });

    add("a create form raises Unsupported when submitted for an update", [](Fixture &f) {
        AdminFixture x{f};
        x.draft("existing");
        auto createForm = x.admin->getMessageFormForCreate({});
        createForm->setSubjectLine("not an update");
        EXPECT_THROWS(Unsupported, x.admin->updateMessage(*createForm));
        // The refused form is still a good create form.
        EXPECT_EQ(x.admin->createMessage(*createForm)->getSubjectLine().getText(), "not an update");
    });

    add("an update form from another session raises Unsupported and changes nothing", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("original");
        auto other = f.manager->getMessageAdminSessionForMailbox(f.mailboxId);
        auto foreign = other->getMessageFormForUpdate(id);
        foreign->setSubjectLine("foreign change");
        EXPECT_THROWS(Unsupported, x.admin->updateMessage(*foreign));
        EXPECT_EQ(f.lookup->getMessage(id)->getSubjectLine().getText(), "original");
    });

    add("an update form that is not valid raises InvalidArgument and changes nothing", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = f.import({{"imported", "text", resource("alice"), at(100)}}).front();
        auto form = x.admin->getMessageFormForUpdate(id);
        form->setSubjectLine("should not land");
        deliveryFormRecord(*form).setReceivedTime(at(50)); // before the sent time
        EXPECT_FALSE(form->isValid());
        EXPECT_THROWS(InvalidArgument, x.admin->updateMessage(*form));
        auto message = f.lookup->getMessage(id);
        EXPECT_EQ(message->getSubjectLine().getText(), "imported");
        EXPECT_EQ(message->getReceivedTime(), at(100));
    });

    add("updateMessage raises NotFound when the message was deleted after the form was issued", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("doomed");
        auto form = x.admin->getMessageFormForUpdate(id);
        form->setSubjectLine("too late");
        x.admin->deleteMessage(id);
        EXPECT_THROWS(NotFound, x.admin->updateMessage(*form));
        EXPECT(f.visibleIds().empty());
    });

    add("deleteMessage removes the message so that lookup raises NotFound", [](Fixture &f) {
        AdminFixture x{f};
        const Id doomed = x.draft("doomed");
        const Id kept = x.draft("kept");
        x.admin->deleteMessage(doomed);
        EXPECT_THROWS(NotFound, f.lookup->getMessage(doomed));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{kept});
    });

    add("deleteMessage raises NotFound for an unknown or already deleted message and NullArgument for the null Id",
        [](Fixture &f) {
            AdminFixture x{f};
            const Id id = x.draft("once");
            const Id kept = x.draft("kept");
            EXPECT_THROWS(NotFound, x.admin->deleteMessage(Id("example.org", "messaging.Message", "1")));
            EXPECT_THROWS(NotFound, x.admin->deleteMessage(sibling(id, "999999")));
            EXPECT_THROWS(NullArgument, x.admin->deleteMessage(Id()));
            x.admin->deleteMessage(id);
            EXPECT_THROWS(NotFound, x.admin->deleteMessage(id));
            EXPECT_EQ(f.visibleIds(), std::set<Id>{kept});
        });

    add("deleteMessage raises NotFound for a message of another mailbox and leaves it there", [](Fixture &f) {
        AdminFixture x{f};
        auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(f.newMailbox("Other"));
        auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        EXPECT_THROWS(NotFound, x.admin->deleteMessage(elsewhere));
        otherAdmin->getMessageFormForUpdate(elsewhere);
    });

    add("aliasMessage adds an alias through which lookup returns the primary Id", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("aliased");
        const Id alias("legacy.example.org", "mail", "42");
        x.admin->aliasMessage(id, alias);
        EXPECT_EQ(f.lookup->getMessage(alias)->getId(), id);
        EXPECT_EQ(f.lookup->getMessage(id)->getId(), id);
    });

    add("an alias works wherever a message Id is taken: update and delete", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("aliased");
        const Id alias("legacy.example.org", "mail", "42");
        x.admin->aliasMessage(id, alias);
        auto form = x.admin->getMessageFormForUpdate(alias);
        form->setSubjectLine("updated through the alias");
        x.admin->updateMessage(*form);
        EXPECT_EQ(f.lookup->getMessage(id)->getSubjectLine().getText(), "updated through the alias");
        x.admin->deleteMessage(alias);
        EXPECT_THROWS(NotFound, f.lookup->getMessage(id));
        EXPECT_THROWS(NotFound, f.lookup->getMessage(alias));
    });

    add("aliasMessage re-points an alias that names another message", [](Fixture &f) {
        AdminFixture x{f};
        const Id first = x.draft("first");
        const Id second = x.draft("second");
        const Id alias("legacy.example.org", "mail", "moving");
        x.admin->aliasMessage(first, alias);
        EXPECT_EQ(f.lookup->getMessage(alias)->getId(), first);
        x.admin->aliasMessage(second, alias);
        EXPECT_EQ(f.lookup->getMessage(alias)->getId(), second);
        EXPECT_EQ(f.lookup->getMessage(first)->getId(), first);
    });

    add("aliasMessage may name the message through another alias", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("aliased twice");
        x.admin->aliasMessage(id, Id("legacy.example.org", "mail", "a"));
        x.admin->aliasMessage(Id("legacy.example.org", "mail", "a"), Id("legacy.example.org", "mail", "b"));
        EXPECT_EQ(f.lookup->getMessage(Id("legacy.example.org", "mail", "b"))->getId(), id);
    });

    add("an alias in the provider's own message Id space raises AlreadyExists", [](Fixture &f) {
        AdminFixture x{f};
        const Id first = x.draft("first");
        const Id second = x.draft("second");
        EXPECT_THROWS(AlreadyExists, x.admin->aliasMessage(first, second));
        EXPECT_THROWS(AlreadyExists, x.admin->aliasMessage(first, first));
        // An Id of that space that no message has yet could be issued later.
        EXPECT_THROWS(AlreadyExists, x.admin->aliasMessage(first, sibling(first, "999999")));
        EXPECT_EQ(f.lookup->getMessage(second)->getSubjectLine().getText(), "second");
        EXPECT_THROWS(NotFound, f.lookup->getMessage(sibling(first, "999999")));
    });

    add("aliasMessage raises NotFound for an unknown message and adds no alias", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("known");
        const Id alias("legacy.example.org", "mail", "orphan");
        EXPECT_THROWS(NotFound, x.admin->aliasMessage(Id("example.org", "messaging.Message", "1"), alias));
        EXPECT_THROWS(NotFound, x.admin->aliasMessage(sibling(id, "999999"), alias));
        EXPECT_THROWS(NotFound, f.lookup->getMessage(alias));
    });

    add("aliasMessage raises NotFound for a message of another mailbox", [](Fixture &f) {
        AdminFixture x{f};
        auto otherAdmin = f.manager->getMessageAdminSessionForMailbox(f.newMailbox("Other"));
        auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        EXPECT_THROWS(NotFound, x.admin->aliasMessage(elsewhere, Id("legacy.example.org", "mail", "x")));
    });

    add("aliasMessage raises NullArgument for a null message Id or alias", [](Fixture &f) {
        AdminFixture x{f};
        const Id id = x.draft("known");
        EXPECT_THROWS(NullArgument, x.admin->aliasMessage(Id(), Id("legacy.example.org", "mail", "x")));
        EXPECT_THROWS(NullArgument, x.admin->aliasMessage(id, Id()));
    });
}

} // namespace osid::conformance
