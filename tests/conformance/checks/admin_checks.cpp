// MessageAdminSession: the single-item create, update, delete and alias
// calls. Every check runs twice, once in each area: on the session from
// MessagingManager::getMessageAdminSessionForMailbox(), and on the batch
// session, which serves the same calls.

#include "checks.h"

#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>

namespace osid::conformance {

namespace {

using messaging::MessageAdminSession;

const Type kUnknownRecord("example.org", "records", "unknown");

// An Id in the same authority and namespace as `id`.
Id sibling(const Id &id, const std::string &identifier)
{
    return Id(id.getAuthority(), id.getIdentifierNamespace(), identifier);
}

// An Id in the authority and namespace of the message Id `id` that no
// provider issues.
Id unknownSibling(const Id &id) { return sibling(id, unknownId("message").getIdentifier()); }

// Where a MessageAdminSession comes from: one of the two areas.
struct Server {
    const char *area;
    Feature feature;
    // A new session bound to `mailboxId`, or to the default mailbox when
    // `mailboxId` is null.
    std::unique_ptr<MessageAdminSession> (*open)(messaging::MessagingManager &manager, const Id &mailboxId);
};

const Server kServers[] = {
    {"MessageAdminSession", Feature::MessageAdmin,
     [](messaging::MessagingManager &manager, const Id &mailboxId) -> std::unique_ptr<MessageAdminSession> {
         return mailboxId.isNull() ? manager.getMessageAdminSession()
                                   : manager.getMessageAdminSessionForMailbox(mailboxId);
     }},
    {"MessageBatchAdminSession as MessageAdminSession", Feature::MessageBatchAdmin,
     [](messaging::MessagingManager &manager, const Id &mailboxId) -> std::unique_ptr<MessageAdminSession> {
         auto batch = manager.getMessagingBatchManager();
         if (mailboxId.isNull())
             return batch->getMessageBatchAdminSession();
         return batch->getMessageBatchAdminSessionForMailbox(mailboxId);
     }},
};

// The session under test, a new one from the area's server bound to the
// fixture's mailbox (never f.session itself), and a few makers.
struct AdminFixture {
    Fixture &f;
    const Server &server;
    std::unique_ptr<MessageAdminSession> admin = server.open(*f.manager, f.mailboxId);

    // A new draft with `subject` and `text`.
    Id draft(const std::string &subject, const std::string &text = "text")
    {
        auto form = admin->getMessageFormForCreate({});
        form->setSubjectLine(subject);
        form->setText(text);
        return admin->createMessage(*form)->getId();
    }

    // A message imported through the delivery record.
    Id imported(const Delivered &m)
    {
        auto form = admin->getMessageFormForCreate({deliveryRecordType()});
        fillDelivered(*form, m);
        return admin->createMessage(*form)->getId();
    }

    // Another session of the same kind, bound to `mailboxId`.
    std::unique_ptr<MessageAdminSession> other(const Id &mailboxId) { return server.open(*f.manager, mailboxId); }
};

// Adds checks of one area, each run on a session from the area's server.
class AdminArea {
public:
    using Body = std::function<void(Fixture &, AdminFixture &)>;

    AdminArea(Suite &suite, const Server &server)
        : add_(suite.area(server.area, {server.feature, Feature::MessageLookup})), server_(server)
    {
    }

    void operator()(std::string name, Body body) const { (*this)(std::move(name), {}, std::move(body)); }

    void operator()(std::string name, std::initializer_list<Feature> more, Body body) const
    {
        add_(std::move(name), more, [server = &server_, body = std::move(body)](Fixture &f) {
            AdminFixture x{f, *server};
            body(f, x);
        });
    }

private:
    Suite::Area add_;
    const Server &server_;
};

void addAdminChecksOn(Suite &suite, const Server &server)
{
    const AdminArea add(suite, server);

    add("a session for a mailbox is bound to it, and the plain getter's to the default mailbox",
        {Feature::MailboxLookup}, [](Fixture &f, AdminFixture &x) {
            EXPECT_EQ(x.admin->getMailboxId(), f.mailboxId);
            EXPECT_EQ(x.admin->getMailbox()->getId(), f.mailboxId);
            const Id defaultId = x.other(Id())->getMailboxId();
            EXPECT_EQ(defaultId, f.manager->getMessageLookupSession()->getMailboxId());
            EXPECT(idSet(f.manager->getMailboxLookupSession()->getMailboxes()).count(defaultId) == 1);
        });

    add("a session for another mailbox reports that mailbox", {Feature::MailboxAdmin}, [](Fixture &f, AdminFixture &x) {
        const Id other = f.newMailbox("Other");
        auto otherAdmin = x.other(other);
        EXPECT_EQ(otherAdmin->getMailboxId(), other);
        EXPECT_EQ(otherAdmin->getMailbox()->getId(), other);
        EXPECT_EQ(otherAdmin->getMailbox()->getDisplayName().getText(), "Other");
        EXPECT(x.admin->getMailboxId() != other);
    });

    add("the permission hints answer true for the calls the session has just made", [](Fixture &, AdminFixture &x) {
        // A false hint means the call is known to raise PermissionDenied.
        const Id id = x.draft("hinted");
        EXPECT(x.admin->canCreateMessages());
        auto form = x.admin->getMessageFormForUpdate(id);
        form->setSubjectLine("updated");
        x.admin->updateMessage(*form);
        EXPECT(x.admin->canUpdateMessages());
        x.admin->aliasMessage(id, unknownId("alias"));
        EXPECT(x.admin->canManageMessageAliases());
        x.admin->deleteMessage(id);
        EXPECT(x.admin->canDeleteMessages());
    });

    add("canCreateMessageWithRecordTypes is true for no records and the delivery record, false with an unknown "
        "record type",
        {Feature::DeliveryRecord}, [](Fixture &, AdminFixture &x) {
            EXPECT(x.admin->canCreateMessageWithRecordTypes({}));
            EXPECT(x.admin->canCreateMessageWithRecordTypes({deliveryRecordType()}));
            EXPECT_FALSE(x.admin->canCreateMessageWithRecordTypes({kUnknownRecord}));
            EXPECT_FALSE(x.admin->canCreateMessageWithRecordTypes({deliveryRecordType(), kUnknownRecord}));
        });

    add("canCreateMessageWithRecordTypes raises NullArgument for a null Type", [](Fixture &, AdminFixture &x) {
        EXPECT_THROWS(NullArgument, x.admin->canCreateMessageWithRecordTypes({Type()}));
        EXPECT_THROWS(NullArgument, x.admin->canCreateMessageWithRecordTypes({deliveryRecordType(), Type()}));
    });

    add("canCreateMessageWithRecordTypes raises NullArgument for a null Type even after an unsupported one",
        [](Fixture &, AdminFixture &x) {
            // A hint must not answer false for an argument it must refuse.
            EXPECT_THROWS(NullArgument, x.admin->canCreateMessageWithRecordTypes({kUnknownRecord, Type()}));
        });

    add("getMessageFormForCreate gives a new create form carrying the record types asked for",
        {Feature::DeliveryRecord}, [](Fixture &, AdminFixture &x) {
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
        [](Fixture &, AdminFixture &x) {
            EXPECT_THROWS(Unsupported, x.admin->getMessageFormForCreate({kUnknownRecord}));
            EXPECT_THROWS(Unsupported, x.admin->getMessageFormForCreate({deliveryRecordType(), kUnknownRecord}));
            EXPECT_THROWS(NullArgument, x.admin->getMessageFormForCreate({Type()}));
        });

    add("createMessage returns the new message holding the form's values", [](Fixture &f, AdminFixture &x) {
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

    add("a message created without the delivery record is an unsent draft", [](Fixture &f, AdminFixture &x) {
        auto form = x.admin->getMessageFormForCreate({});
        form->setSubjectLine("draft");
        auto message = x.admin->createMessage(*form);
        EXPECT_FALSE(message->isSent());
        EXPECT_FALSE(message->hasRecordType(deliveryRecordType()));
        EXPECT_THROWS(IllegalState, message->getSenderId());
        EXPECT_THROWS(IllegalState, message->getSentTime());
        EXPECT_FALSE(f.lookup->getMessage(message->getId())->isSent());
    });

    add("a form that already created a message cannot create another", [](Fixture &f, AdminFixture &x) {
        auto form = x.admin->getMessageFormForCreate({});
        form->setSubjectLine("once");
        auto first = x.admin->createMessage(*form)->getId();
        EXPECT_THROWS(IllegalState, x.admin->createMessage(*form));
        form->setSubjectLine("changed after success");
        EXPECT_THROWS(IllegalState, x.admin->createMessage(*form));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{first});
    });

    add("a form that is not valid raises InvalidArgument and creates nothing", {Feature::DeliveryRecord},
        [](Fixture &f, AdminFixture &x) {
            auto form = x.admin->getMessageFormForCreate({deliveryRecordType()});
            form->setSubjectLine("no sender");
            deliveryFormRecord(*form).setSentTime(at(0));
            EXPECT_FALSE(form->isValid());
            EXPECT_THROWS(InvalidArgument, x.admin->createMessage(*form));
            EXPECT(f.visibleIds().empty());
        });

    add("a form whose create failed may be fixed and submitted again", {Feature::DeliveryRecord},
        [](Fixture &f, AdminFixture &x) {
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

    add("a create form from another session raises Unsupported and stays usable where it came from",
        [](Fixture &f, AdminFixture &x) {
            auto other = x.other(f.mailboxId);
            auto foreign = other->getMessageFormForCreate({});
            foreign->setSubjectLine("foreign");
            EXPECT_THROWS(Unsupported, x.admin->createMessage(*foreign));
            if (f.session) // the fixture's batch session is yet another session
                EXPECT_THROWS(Unsupported, f.session->createMessage(*foreign));
            EXPECT(f.visibleIds().empty());
            EXPECT_EQ(other->createMessage(*foreign)->getSubjectLine().getText(), "foreign");
        });

    add("a create form from another manager raises Unsupported", [](Fixture &f, AdminFixture &x) {
        auto otherManager = f.newManager();
        // The default mailbox: the other manager may be another store,
        // without the fixture's mailbox. Only a form is taken from it.
        auto foreign = x.server.open(*otherManager, Id())->getMessageFormForCreate({});
        EXPECT_THROWS(Unsupported, x.admin->createMessage(*foreign));
        EXPECT(f.visibleIds().empty());
    });

    add("an update form raises Unsupported when submitted for a create", [](Fixture &f, AdminFixture &x) {
        const Id existing = x.draft("existing");
        auto updateForm = x.admin->getMessageFormForUpdate(existing);
        updateForm->setSubjectLine("copy?");
        EXPECT_THROWS(Unsupported, x.admin->createMessage(*updateForm));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{existing});
        EXPECT_EQ(f.lookup->getMessage(existing)->getSubjectLine().getText(), "existing");
    });

    add("getMessageFormForUpdate gives an update form holding the message's current values",
        [](Fixture &, AdminFixture &x) {
            const Id id = x.draft("current subject", "current text");
            auto form = x.admin->getMessageFormForUpdate(id);
            EXPECT(form->isForUpdate());
            EXPECT(form->getId() != id);
            EXPECT_EQ(form->getSubjectLineMetadata().getExistingStringValues(),
                      std::vector<std::string>{"current subject"});
            EXPECT_EQ(form->getTextMetadata().getExistingStringValues(), std::vector<std::string>{"current text"});
            EXPECT(x.admin->getMessageFormForUpdate(id)->getId() != form->getId());
        });

    add("getMessageFormForUpdate raises NotFound for an unknown Id and NullArgument for the null Id",
        [](Fixture &, AdminFixture &x) {
            const Id id = x.draft("known");
            EXPECT_THROWS(NotFound, x.admin->getMessageFormForUpdate(unknownId("message")));
            EXPECT_THROWS(NotFound, x.admin->getMessageFormForUpdate(unknownSibling(id)));
            EXPECT_THROWS(NullArgument, x.admin->getMessageFormForUpdate(Id()));
        });

    add("getMessageFormForUpdate raises NotFound for a message of another mailbox", {Feature::MailboxAdmin},
        [](Fixture &f, AdminFixture &x) {
            auto otherAdmin = x.other(f.newMailbox("Other"));
            auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
            EXPECT_THROWS(NotFound, x.admin->getMessageFormForUpdate(elsewhere));
            otherAdmin->getMessageFormForUpdate(elsewhere);
        });

    add("updateMessage changes only the elements set on the form, as lookup shows", [](Fixture &f, AdminFixture &x) {
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

    add("updateMessage can change the delivery values of an imported message", {Feature::DeliveryRecord},
        [](Fixture &f, AdminFixture &x) {
            const Id id = x.imported({"imported", "text", resource("alice"), at(0), {resource("bob")}});
            auto form = x.admin->getMessageFormForUpdate(id);
            auto &delivery = deliveryFormRecord(*form);
            delivery.setRecipients({resource("carol"), resource("dave")});
            delivery.setReceivedTime(at(30));
            x.admin->updateMessage(*form);

            auto message = f.lookup->getMessage(id);
            EXPECT_EQ(collect(message->getRecipientIds()), (std::vector<Id>{resource("carol"), resource("dave")}));
            EXPECT_EQ(message->getReceivedTime(), at(30));
            EXPECT_EQ(message->getSenderId(), resource("alice"));
            EXPECT_EQ(message->getSentTime(), at(0));
        });

    add("an update form that already updated its message cannot update it again", [](Fixture &f, AdminFixture &x) {
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

    add("a create form raises Unsupported when submitted for an update", [](Fixture &, AdminFixture &x) {
        x.draft("existing");
        auto createForm = x.admin->getMessageFormForCreate({});
        createForm->setSubjectLine("not an update");
        EXPECT_THROWS(Unsupported, x.admin->updateMessage(*createForm));
        // The refused form is still a good create form.
        EXPECT_EQ(x.admin->createMessage(*createForm)->getSubjectLine().getText(), "not an update");
    });

    add("an update form from another session raises Unsupported and changes nothing", [](Fixture &f, AdminFixture &x) {
        const Id id = x.draft("original");
        auto other = x.other(f.mailboxId);
        auto foreign = other->getMessageFormForUpdate(id);
        foreign->setSubjectLine("foreign change");
        EXPECT_THROWS(Unsupported, x.admin->updateMessage(*foreign));
        EXPECT_EQ(f.lookup->getMessage(id)->getSubjectLine().getText(), "original");
    });

    add("an update form that is not valid raises InvalidArgument and changes nothing", {Feature::DeliveryRecord},
        [](Fixture &f, AdminFixture &x) {
            const Id id = x.imported({"imported", "text", resource("alice"), at(100)});
            auto form = x.admin->getMessageFormForUpdate(id);
            form->setSubjectLine("should not land");
            deliveryFormRecord(*form).setReceivedTime(at(50)); // before the sent time
            EXPECT_FALSE(form->isValid());
            EXPECT_THROWS(InvalidArgument, x.admin->updateMessage(*form));
            auto message = f.lookup->getMessage(id);
            EXPECT_EQ(message->getSubjectLine().getText(), "imported");
            EXPECT_EQ(message->getReceivedTime(), at(100));
        });

    add("updateMessage raises NotFound when the message was deleted after the form was issued",
        [](Fixture &f, AdminFixture &x) {
            const Id id = x.draft("doomed");
            auto form = x.admin->getMessageFormForUpdate(id);
            form->setSubjectLine("too late");
            x.admin->deleteMessage(id);
            EXPECT_THROWS(NotFound, x.admin->updateMessage(*form));
            EXPECT(f.visibleIds().empty());
        });

    add("deleteMessage removes the message so that lookup raises NotFound", [](Fixture &f, AdminFixture &x) {
        const Id doomed = x.draft("doomed");
        const Id kept = x.draft("kept");
        x.admin->deleteMessage(doomed);
        EXPECT_THROWS(NotFound, f.lookup->getMessage(doomed));
        EXPECT_EQ(f.visibleIds(), std::set<Id>{kept});
    });

    add("deleteMessage raises NotFound for an unknown or already deleted message and NullArgument for the null Id",
        [](Fixture &f, AdminFixture &x) {
            const Id id = x.draft("once");
            const Id kept = x.draft("kept");
            EXPECT_THROWS(NotFound, x.admin->deleteMessage(unknownId("message")));
            EXPECT_THROWS(NotFound, x.admin->deleteMessage(unknownSibling(id)));
            EXPECT_THROWS(NullArgument, x.admin->deleteMessage(Id()));
            x.admin->deleteMessage(id);
            EXPECT_THROWS(NotFound, x.admin->deleteMessage(id));
            EXPECT_EQ(f.visibleIds(), std::set<Id>{kept});
        });

    add("deleteMessage raises NotFound for a message of another mailbox and leaves it there", {Feature::MailboxAdmin},
        [](Fixture &f, AdminFixture &x) {
            auto otherAdmin = x.other(f.newMailbox("Other"));
            auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
            EXPECT_THROWS(NotFound, x.admin->deleteMessage(elsewhere));
            otherAdmin->getMessageFormForUpdate(elsewhere);
        });

    add("aliasMessage adds an alias through which lookup returns the primary Id", [](Fixture &f, AdminFixture &x) {
        const Id id = x.draft("aliased");
        const Id alias = unknownId("alias");
        x.admin->aliasMessage(id, alias);
        EXPECT_EQ(f.lookup->getMessage(alias)->getId(), id);
        EXPECT_EQ(f.lookup->getMessage(id)->getId(), id);
    });

    add("an alias works wherever a message Id is taken: update and delete", [](Fixture &f, AdminFixture &x) {
        const Id id = x.draft("aliased");
        const Id alias = unknownId("alias");
        x.admin->aliasMessage(id, alias);
        auto form = x.admin->getMessageFormForUpdate(alias);
        form->setSubjectLine("updated through the alias");
        x.admin->updateMessage(*form);
        EXPECT_EQ(f.lookup->getMessage(id)->getSubjectLine().getText(), "updated through the alias");
        x.admin->deleteMessage(alias);
        EXPECT_THROWS(NotFound, f.lookup->getMessage(id));
        EXPECT_THROWS(NotFound, f.lookup->getMessage(alias));
    });

    add("aliasMessage re-points an alias that names another message", [](Fixture &f, AdminFixture &x) {
        const Id first = x.draft("first");
        const Id second = x.draft("second");
        const Id alias = unknownId("alias");
        x.admin->aliasMessage(first, alias);
        EXPECT_EQ(f.lookup->getMessage(alias)->getId(), first);
        x.admin->aliasMessage(second, alias);
        EXPECT_EQ(f.lookup->getMessage(alias)->getId(), second);
        EXPECT_EQ(f.lookup->getMessage(first)->getId(), first);
    });

    add("aliasMessage may name the message through another alias", [](Fixture &f, AdminFixture &x) {
        const Id id = x.draft("aliased twice");
        const Id a = unknownId("alias");
        const Id b = unknownId("alias");
        x.admin->aliasMessage(id, a);
        x.admin->aliasMessage(a, b);
        EXPECT_EQ(f.lookup->getMessage(b)->getId(), id);
    });

    add("an alias that is a message's primary Id or in the provider's own message Id space raises AlreadyExists",
        [](Fixture &f, AdminFixture &x) {
            const Id first = x.draft("first");
            const Id second = x.draft("second");
            EXPECT_THROWS(AlreadyExists, x.admin->aliasMessage(first, second));
            EXPECT_THROWS(AlreadyExists, x.admin->aliasMessage(first, first));
            // The Id of a deleted message lies in that space, and no
            // message has it now.
            const Id gone = x.draft("gone");
            x.admin->deleteMessage(gone);
            EXPECT_THROWS(AlreadyExists, x.admin->aliasMessage(first, gone));
            EXPECT_EQ(f.lookup->getMessage(second)->getSubjectLine().getText(), "second");
            EXPECT_THROWS(NotFound, f.lookup->getMessage(gone));
        });

    add("aliasMessage raises NotFound for an unknown message and adds no alias", [](Fixture &f, AdminFixture &x) {
        const Id id = x.draft("known");
        const Id alias = unknownId("alias");
        EXPECT_THROWS(NotFound, x.admin->aliasMessage(unknownId("message"), alias));
        EXPECT_THROWS(NotFound, x.admin->aliasMessage(unknownSibling(id), alias));
        EXPECT_THROWS(NotFound, f.lookup->getMessage(alias));
    });

    add("aliasMessage raises NotFound for a message of another mailbox", {Feature::MailboxAdmin},
        [](Fixture &f, AdminFixture &x) {
            auto otherAdmin = x.other(f.newMailbox("Other"));
            auto elsewhere = otherAdmin->createMessage(*otherAdmin->getMessageFormForCreate({}))->getId();
            EXPECT_THROWS(NotFound, x.admin->aliasMessage(elsewhere, unknownId("alias")));
        });

    add("aliasMessage raises NullArgument for a null message Id or alias", [](Fixture &, AdminFixture &x) {
        const Id id = x.draft("known");
        EXPECT_THROWS(NullArgument, x.admin->aliasMessage(Id(), unknownId("alias")));
        EXPECT_THROWS(NullArgument, x.admin->aliasMessage(id, Id()));
    });
}

} // namespace

void addAdminChecks(Suite &suite)
{
    for (const Server &server : kServers)
        addAdminChecksOn(suite, server);
}

} // namespace osid::conformance
