// MessageAdminSession: the single-item create, update, delete and alias
// methods, through MessagingManager::getMessageAdminSession() and through
// the batch session, which implements them too.

#include "support/provider_fixture.h"

#include "messaging/message_admin_session.h"

using namespace osid;
using namespace osid::testing;

namespace {

const Type kUnknownRecord("example.org", "records", "unknown");

// An Id in the same authority and namespace as `id`.
Id sibling(const Id &id, const std::string &identifier)
{
    return Id(id.getAuthority(), id.getIdentifierNamespace(), identifier);
}

struct AdminFixture : ProviderFixture {
    std::unique_ptr<messaging::MessageAdminSession> admin = manager->getMessageAdminSession();

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

TEST_SUITE("MessageAdminSession")
{
    TEST_CASE_FIXTURE(AdminFixture, "admin sessions from either manager are bound to the default mailbox")
    {
        auto mailboxes = collect(manager->getMailboxLookupSession()->getMailboxes());
        REQUIRE(mailboxes.size() == 1);
        const Id defaultId = mailboxes[0]->getId();
        CHECK(admin->getMailboxId() == defaultId);
        CHECK(admin->getMailbox()->getId() == defaultId);
        CHECK(session->getMailboxId() == defaultId);
        CHECK(session->getMailbox()->getId() == defaultId);
    }

    TEST_CASE_FIXTURE(AdminFixture, "an admin session for another mailbox reports that mailbox")
    {
        const Id other = newMailbox("Other");
        auto otherAdmin = manager->getMessageAdminSessionForMailbox(other);
        CHECK(otherAdmin->getMailboxId() == other);
        CHECK(otherAdmin->getMailbox()->getId() == other);
        CHECK(otherAdmin->getMailbox()->getDisplayName().getText() == "Other");
        CHECK(admin->getMailboxId() != other);
    }

    TEST_CASE_FIXTURE(AdminFixture, "the permission hints are all true since this provider denies nothing")
    {
        CHECK(admin->canCreateMessages());
        CHECK(admin->canUpdateMessages());
        CHECK(admin->canDeleteMessages());
        CHECK(admin->canManageMessageAliases());
        CHECK(session->canCreateMessages());
        CHECK(session->canUpdateMessages());
        CHECK(session->canDeleteMessages());
        CHECK(session->canManageMessageAliases());
    }

    TEST_CASE_FIXTURE(AdminFixture, "canCreateMessageWithRecordTypes is true exactly for no records or the delivery record")
    {
        CHECK(admin->canCreateMessageWithRecordTypes({}));
        CHECK(admin->canCreateMessageWithRecordTypes({deliveryRecordType()}));
        CHECK_FALSE(admin->canCreateMessageWithRecordTypes({kUnknownRecord}));
        CHECK_FALSE(admin->canCreateMessageWithRecordTypes({deliveryRecordType(), kUnknownRecord}));
    }

    TEST_CASE_FIXTURE(AdminFixture, "canCreateMessageWithRecordTypes raises NullArgument for a null Type")
    {
        CHECK_THROWS_AS(admin->canCreateMessageWithRecordTypes({Type()}), NullArgument);
        CHECK_THROWS_AS(admin->canCreateMessageWithRecordTypes({deliveryRecordType(), Type()}), NullArgument);
    }

    TEST_CASE_FIXTURE(AdminFixture, "canCreateMessageWithRecordTypes raises NullArgument for a null Type even after an unsupported one")
    {
        // A hint must not answer false for an argument it must refuse.
        CHECK_THROWS_AS(admin->canCreateMessageWithRecordTypes({kUnknownRecord, Type()}), NullArgument);
    }

    TEST_CASE_FIXTURE(AdminFixture, "getMessageFormForCreate gives a new create form carrying the record types asked for")
    {
        auto plain = admin->getMessageFormForCreate({});
        auto delivery = admin->getMessageFormForCreate({deliveryRecordType()});
        CHECK_FALSE(plain->isForUpdate());
        CHECK_FALSE(delivery->isForUpdate());
        CHECK(plain->getId() != delivery->getId());
        CHECK_FALSE(plain->hasRecordType(deliveryRecordType()));
        CHECK(delivery->hasRecordType(deliveryRecordType()));
        CHECK_NOTHROW(deliveryFormRecord(*delivery));
    }

    TEST_CASE_FIXTURE(AdminFixture, "getMessageFormForCreate raises Unsupported for an unknown record type and NullArgument for a null Type")
    {
        CHECK_THROWS_AS(admin->getMessageFormForCreate({kUnknownRecord}), Unsupported);
        CHECK_THROWS_AS(admin->getMessageFormForCreate({deliveryRecordType(), kUnknownRecord}), Unsupported);
        CHECK_THROWS_AS(admin->getMessageFormForCreate({Type()}), NullArgument);
    }

    TEST_CASE_FIXTURE(AdminFixture, "createMessage returns the new message holding the form's values")
    {
        const Type genus("example.org", "genus", "memo");
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("hello");
        form->setText("world");
        form->setDisplayName("greeting");
        form->setDescription("a short greeting");
        form->setGenusType(genus);
        auto message = admin->createMessage(*form);

        CHECK(message->getId() != form->getId());
        CHECK(message->getSubjectLine().getText() == "hello");
        CHECK(message->getText().getText() == "world");
        CHECK(message->getDisplayName().getText() == "greeting");
        CHECK(message->getDescription().getText() == "a short greeting");
        CHECK(message->getGenusType() == genus);
        CHECK(message->isOfGenusType(genus));
        CHECK(visibleIds() == std::set<Id>{message->getId()});
        CHECK(lookup->getMessage(message->getId())->getSubjectLine().getText() == "hello");
    }

    TEST_CASE_FIXTURE(AdminFixture, "a message created without the delivery record is an unsent draft")
    {
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("draft");
        auto message = admin->createMessage(*form);
        CHECK_FALSE(message->isSent());
        CHECK_FALSE(message->hasRecordType(deliveryRecordType()));
        CHECK_THROWS_AS(message->getSenderId(), IllegalState);
        CHECK_THROWS_AS(message->getSentTime(), IllegalState);
        CHECK_FALSE(lookup->getMessage(message->getId())->isSent());
    }

    TEST_CASE_FIXTURE(AdminFixture, "a form that already created a message cannot create another")
    {
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine("once");
        auto first = admin->createMessage(*form)->getId();
        CHECK_THROWS_AS(admin->createMessage(*form), IllegalState);
        form->setSubjectLine("changed after success");
        CHECK_THROWS_AS(admin->createMessage(*form), IllegalState);
        CHECK(visibleIds() == std::set<Id>{first});
    }

    TEST_CASE_FIXTURE(AdminFixture, "a form that is not valid raises InvalidArgument and creates nothing")
    {
        auto form = admin->getMessageFormForCreate({deliveryRecordType()});
        form->setSubjectLine("no sender");
        deliveryFormRecord(*form).setSentTime(at(0));
        REQUIRE_FALSE(form->isValid());
        CHECK_THROWS_AS(admin->createMessage(*form), InvalidArgument);
        CHECK(visibleIds().empty());
    }

    TEST_CASE_FIXTURE(AdminFixture, "a form whose create failed may be fixed and submitted again")
    {
        auto form = admin->getMessageFormForCreate({deliveryRecordType()});
        form->setSubjectLine("fixed later");
        deliveryFormRecord(*form).setSentTime(at(5));
        REQUIRE_THROWS_AS(admin->createMessage(*form), InvalidArgument);

        deliveryFormRecord(*form).setSender(resource("alice"));
        auto message = admin->createMessage(*form);
        CHECK(message->getSubjectLine().getText() == "fixed later");
        CHECK(message->getSenderId() == resource("alice"));
        CHECK(message->getSentTime() == at(5));
        CHECK(visibleIds() == std::set<Id>{message->getId()});
    }

    TEST_CASE_FIXTURE(AdminFixture, "a create form from another session raises Unsupported and stays usable where it came from")
    {
        auto other = manager->getMessageAdminSession();
        auto foreign = other->getMessageFormForCreate({});
        foreign->setSubjectLine("foreign");
        CHECK_THROWS_AS(admin->createMessage(*foreign), Unsupported);
        CHECK_THROWS_AS(session->createMessage(*foreign), Unsupported);
        CHECK(visibleIds().empty());
        CHECK(other->createMessage(*foreign)->getSubjectLine().getText() == "foreign");
    }

    TEST_CASE_FIXTURE(AdminFixture, "a create form from another manager raises Unsupported")
    {
        auto otherManager = impl::memory::makeMemoryMessagingManager();
        auto foreign = otherManager->getMessageAdminSession()->getMessageFormForCreate({});
        CHECK_THROWS_AS(admin->createMessage(*foreign), Unsupported);
        CHECK(visibleIds().empty());
    }

    TEST_CASE_FIXTURE(AdminFixture, "an update form raises Unsupported when submitted for a create")
    {
        const Id existing = draft("existing");
        auto updateForm = admin->getMessageFormForUpdate(existing);
        updateForm->setSubjectLine("copy?");
        CHECK_THROWS_AS(admin->createMessage(*updateForm), Unsupported);
        CHECK(visibleIds() == std::set<Id>{existing});
        CHECK(lookup->getMessage(existing)->getSubjectLine().getText() == "existing");
    }

    TEST_CASE_FIXTURE(AdminFixture, "getMessageFormForUpdate gives an update form holding the message's current values")
    {
        const Id id = draft("current subject", "current text");
        auto form = admin->getMessageFormForUpdate(id);
        CHECK(form->isForUpdate());
        CHECK(form->getId() != id);
        CHECK(form->getSubjectLineMetadata().getExistingStringValues() == std::vector<std::string>{"current subject"});
        CHECK(form->getTextMetadata().getExistingStringValues() == std::vector<std::string>{"current text"});
        CHECK(admin->getMessageFormForUpdate(id)->getId() != form->getId());
    }

    TEST_CASE_FIXTURE(AdminFixture, "getMessageFormForUpdate raises NotFound for an unknown Id and NullArgument for the null Id")
    {
        const Id id = draft("known");
        CHECK_THROWS_AS(admin->getMessageFormForUpdate(Id("example.org", "messaging.Message", "1")), NotFound);
        CHECK_THROWS_AS(admin->getMessageFormForUpdate(sibling(id, "999999")), NotFound);
        CHECK_THROWS_AS(admin->getMessageFormForUpdate(Id()), NullArgument);
    }

    TEST_CASE_FIXTURE(AdminFixture, "getMessageFormForUpdate raises NotFound for a message of another mailbox")
    {
        auto otherAdmin = manager->getMessageAdminSessionForMailbox(newMailbox("Other"));
        auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        CHECK_THROWS_AS(admin->getMessageFormForUpdate(elsewhere), NotFound);
        CHECK_NOTHROW(otherAdmin->getMessageFormForUpdate(elsewhere));
    }

    TEST_CASE_FIXTURE(AdminFixture, "updateMessage changes only the elements set on the form, as lookup shows")
    {
        const Id id = draft("old subject", "kept text");
        const Id untouched = draft("other", "other text");
        auto form = admin->getMessageFormForUpdate(id);
        form->setSubjectLine("new subject");
        form->setDisplayName("renamed");
        admin->updateMessage(*form);

        auto message = lookup->getMessage(id);
        CHECK(message->getSubjectLine().getText() == "new subject");
        CHECK(message->getDisplayName().getText() == "renamed");
        CHECK(message->getText().getText() == "kept text");
        CHECK(lookup->getMessage(untouched)->getSubjectLine().getText() == "other");
    }

    TEST_CASE_FIXTURE(AdminFixture, "updateMessage can change the delivery values of an imported message")
    {
        const Id id = import({{"imported", "text", resource("alice"), at(0), {resource("bob")}}}).front();
        auto form = admin->getMessageFormForUpdate(id);
        auto &delivery = deliveryFormRecord(*form);
        delivery.setRecipients({resource("carol"), resource("dave")});
        delivery.setReceivedTime(at(30));
        admin->updateMessage(*form);

        auto message = lookup->getMessage(id);
        CHECK(collect(message->getRecipientIds()) == std::vector<Id>{resource("carol"), resource("dave")});
        CHECK(message->getReceivedTime() == at(30));
        CHECK(message->getSenderId() == resource("alice"));
        CHECK(message->getSentTime() == at(0));
    }

    TEST_CASE_FIXTURE(AdminFixture, "an update form that already updated its message cannot update it again")
    {
        const Id id = draft("first");
        auto form = admin->getMessageFormForUpdate(id);
        form->setSubjectLine("second");
        admin->updateMessage(*form);

        auto later = admin->getMessageFormForUpdate(id);
        later->setSubjectLine("third");
        admin->updateMessage(*later);

        CHECK_THROWS_AS(admin->updateMessage(*form), IllegalState);
        CHECK(lookup->getMessage(id)->getSubjectLine().getText() == "third");
    }

    TEST_CASE_FIXTURE(AdminFixture, "a create form raises Unsupported when submitted for an update")
    {
        draft("existing");
        auto createForm = admin->getMessageFormForCreate({});
        createForm->setSubjectLine("not an update");
        CHECK_THROWS_AS(admin->updateMessage(*createForm), Unsupported);
        // The refused form is still a good create form.
        CHECK(admin->createMessage(*createForm)->getSubjectLine().getText() == "not an update");
    }

    TEST_CASE_FIXTURE(AdminFixture, "an update form from another session raises Unsupported and changes nothing")
    {
        const Id id = draft("original");
        auto other = manager->getMessageAdminSession();
        auto foreign = other->getMessageFormForUpdate(id);
        foreign->setSubjectLine("foreign change");
        CHECK_THROWS_AS(admin->updateMessage(*foreign), Unsupported);
        CHECK(lookup->getMessage(id)->getSubjectLine().getText() == "original");
    }

    TEST_CASE_FIXTURE(AdminFixture, "an update form that is not valid raises InvalidArgument and changes nothing")
    {
        const Id id = import({{"imported", "text", resource("alice"), at(100)}}).front();
        auto form = admin->getMessageFormForUpdate(id);
        form->setSubjectLine("should not land");
        deliveryFormRecord(*form).setReceivedTime(at(50)); // before the sent time
        REQUIRE_FALSE(form->isValid());
        CHECK_THROWS_AS(admin->updateMessage(*form), InvalidArgument);
        auto message = lookup->getMessage(id);
        CHECK(message->getSubjectLine().getText() == "imported");
        CHECK(message->getReceivedTime() == at(100));
    }

    TEST_CASE_FIXTURE(AdminFixture, "updateMessage raises NotFound when the message was deleted after the form was issued")
    {
        const Id id = draft("doomed");
        auto form = admin->getMessageFormForUpdate(id);
        form->setSubjectLine("too late");
        admin->deleteMessage(id);
        CHECK_THROWS_AS(admin->updateMessage(*form), NotFound);
        CHECK(visibleIds().empty());
    }

    TEST_CASE_FIXTURE(AdminFixture, "deleteMessage removes the message so that lookup raises NotFound")
    {
        const Id doomed = draft("doomed");
        const Id kept = draft("kept");
        admin->deleteMessage(doomed);
        CHECK_THROWS_AS(lookup->getMessage(doomed), NotFound);
        CHECK(visibleIds() == std::set<Id>{kept});
    }

    TEST_CASE_FIXTURE(AdminFixture, "deleteMessage raises NotFound for an unknown or already deleted message and NullArgument for the null Id")
    {
        const Id id = draft("once");
        const Id kept = draft("kept");
        CHECK_THROWS_AS(admin->deleteMessage(Id("example.org", "messaging.Message", "1")), NotFound);
        CHECK_THROWS_AS(admin->deleteMessage(sibling(id, "999999")), NotFound);
        CHECK_THROWS_AS(admin->deleteMessage(Id()), NullArgument);
        admin->deleteMessage(id);
        CHECK_THROWS_AS(admin->deleteMessage(id), NotFound);
        CHECK(visibleIds() == std::set<Id>{kept});
    }

    TEST_CASE_FIXTURE(AdminFixture, "deleteMessage raises NotFound for a message of another mailbox and leaves it there")
    {
        auto otherAdmin = manager->getMessageAdminSessionForMailbox(newMailbox("Other"));
        auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        CHECK_THROWS_AS(admin->deleteMessage(elsewhere), NotFound);
        CHECK_NOTHROW(otherAdmin->getMessageFormForUpdate(elsewhere));
    }

    TEST_CASE_FIXTURE(AdminFixture, "aliasMessage adds an alias through which lookup returns the primary Id")
    {
        const Id id = draft("aliased");
        const Id alias("legacy.example.org", "mail", "42");
        admin->aliasMessage(id, alias);
        CHECK(lookup->getMessage(alias)->getId() == id);
        CHECK(lookup->getMessage(id)->getId() == id);
    }

    TEST_CASE_FIXTURE(AdminFixture, "an alias works wherever a message Id is taken: update and delete")
    {
        const Id id = draft("aliased");
        const Id alias("legacy.example.org", "mail", "42");
        admin->aliasMessage(id, alias);
        auto form = admin->getMessageFormForUpdate(alias);
        form->setSubjectLine("updated through the alias");
        admin->updateMessage(*form);
        CHECK(lookup->getMessage(id)->getSubjectLine().getText() == "updated through the alias");
        admin->deleteMessage(alias);
        CHECK_THROWS_AS(lookup->getMessage(id), NotFound);
        CHECK_THROWS_AS(lookup->getMessage(alias), NotFound);
    }

    TEST_CASE_FIXTURE(AdminFixture, "aliasMessage re-points an alias that names another message")
    {
        const Id first = draft("first");
        const Id second = draft("second");
        const Id alias("legacy.example.org", "mail", "moving");
        admin->aliasMessage(first, alias);
        REQUIRE(lookup->getMessage(alias)->getId() == first);
        admin->aliasMessage(second, alias);
        CHECK(lookup->getMessage(alias)->getId() == second);
        CHECK(lookup->getMessage(first)->getId() == first);
    }

    TEST_CASE_FIXTURE(AdminFixture, "aliasMessage may name the message through another alias")
    {
        const Id id = draft("aliased twice");
        admin->aliasMessage(id, Id("legacy.example.org", "mail", "a"));
        admin->aliasMessage(Id("legacy.example.org", "mail", "a"), Id("legacy.example.org", "mail", "b"));
        CHECK(lookup->getMessage(Id("legacy.example.org", "mail", "b"))->getId() == id);
    }

    TEST_CASE_FIXTURE(AdminFixture, "an alias in the provider's own message Id space raises AlreadyExists")
    {
        const Id first = draft("first");
        const Id second = draft("second");
        CHECK_THROWS_AS(admin->aliasMessage(first, second), AlreadyExists);
        CHECK_THROWS_AS(admin->aliasMessage(first, first), AlreadyExists);
        // An Id of that space that no message has yet could be issued later.
        CHECK_THROWS_AS(admin->aliasMessage(first, sibling(first, "999999")), AlreadyExists);
        CHECK(lookup->getMessage(second)->getSubjectLine().getText() == "second");
        CHECK_THROWS_AS(lookup->getMessage(sibling(first, "999999")), NotFound);
    }

    TEST_CASE_FIXTURE(AdminFixture, "aliasMessage raises NotFound for an unknown message and adds no alias")
    {
        const Id id = draft("known");
        const Id alias("legacy.example.org", "mail", "orphan");
        CHECK_THROWS_AS(admin->aliasMessage(Id("example.org", "messaging.Message", "1"), alias), NotFound);
        CHECK_THROWS_AS(admin->aliasMessage(sibling(id, "999999"), alias), NotFound);
        CHECK_THROWS_AS(lookup->getMessage(alias), NotFound);
    }

    TEST_CASE_FIXTURE(AdminFixture, "aliasMessage raises NotFound for a message of another mailbox")
    {
        auto otherAdmin = manager->getMessageAdminSessionForMailbox(newMailbox("Other"));
        auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
        CHECK_THROWS_AS(admin->aliasMessage(elsewhere, Id("legacy.example.org", "mail", "x")), NotFound);
    }

    TEST_CASE_FIXTURE(AdminFixture, "aliasMessage raises NullArgument for a null message Id or alias")
    {
        const Id id = draft("known");
        CHECK_THROWS_AS(admin->aliasMessage(Id(), Id("legacy.example.org", "mail", "x")), NullArgument);
        CHECK_THROWS_AS(admin->aliasMessage(id, Id()), NullArgument);
    }
}
