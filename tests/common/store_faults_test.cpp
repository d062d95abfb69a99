// The store boundary: whatever a store throws that is not an OSID error
// (std::out_of_range, std::bad_alloc, a driver's exception) reaches a
// caller of any session method as OperationFailed, and a failed write
// leaves the store as it was.
//
// A FaultyStore keeps its data in the memory provider's StoreState and
// throws std::out_of_range from its Nth store operation. Each session
// method is run with N = 1, 2, ... until it gets through without meeting
// the fault, so every store operation it makes fails once.

#include "impl/common/store_managers.h"
#include "impl/memory/memory_store.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_session.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace osid;
using osid::impl::KeyedContent;
using osid::impl::MailboxKey;
using osid::impl::MessageContent;
using osid::impl::MessageKey;
using osid::impl::MessageQuery;
using osid::impl::StoreReader;
using osid::impl::StoreWriter;
using osid::messaging::records::deliveryFormRecord;
using osid::messaging::records::deliveryRecordType;

Id resource(const std::string &name);

class FaultyStore final : public impl::MessageStore, private StoreWriter {
public:
    FaultyStore() : state_("faulty.test") {}

    const std::string &authority() const override { return authority_; }

    // Throw from the `n`th store operation from now on (0: never).
    void failAt(int n)
    {
        failAt_ = n;
        operations_ = 0;
        triggered_ = false;
    }
    bool triggered() const { return triggered_; }

    // Everything the store holds, for before/after comparisons.
    std::string dump()
    {
        std::string out;
        for (auto mailbox : state_.mailboxes()) {
            out += fmt::format("mailbox {} {}\n", mailbox, state_.mailbox(mailbox)->getId().toString());
            for (const auto &[key, content] : state_.select(mailbox, MessageQuery{}))
                out += fmt::format("  {} {} {} {} {}\n", key, content.subject, content.text, content.sent,
                                   content.receivedTime.toString());
            // The indexes too: an undone delete must put its entries back.
            out += "  by received time:";
            for (auto key : state_.keysReceivedBetween(mailbox, DateTime::min(), DateTime::max()))
                out += fmt::format(" {}", key);
            out += "\n  from alice:";
            for (auto key : state_.keysFromSender(mailbox, resource("alice")))
                out += fmt::format(" {}", key);
            out += "\n";
            for (const auto &alias : aliases_)
                if (auto key = state_.resolve(mailbox, alias))
                    out += fmt::format("  alias {} -> {}\n", alias.toString(), *key);
        }
        return out;
    }
    // Aliases dump() reports.
    std::vector<Id> aliases_;

protected:
    void readSection(const std::function<void(const StoreReader &)> &section) override { section(*this); }
    void writeSection(const std::function<void(StoreWriter &)> &section) override
    {
        state_.journaled([&] { section(*this); });
    }

private:
    void tick() const
    {
        if (failAt_ != 0 && ++operations_ == failAt_) {
            triggered_ = true;
            throw std::out_of_range(fmt::format("injected fault at store operation {}", failAt_));
        }
    }

    MailboxKey defaultMailbox() const override { return tick(), state_.defaultMailbox(); }
    std::optional<MailboxKey> findMailbox(const Id &id) const override { return tick(), state_.findMailbox(id); }
    std::vector<MailboxKey> mailboxes() const override { return tick(), state_.mailboxes(); }
    std::shared_ptr<messaging::Mailbox> mailbox(MailboxKey m) const override { return tick(), state_.mailbox(m); }
    Id messageId(MessageKey key) const override { return tick(), state_.messageId(key); }
    bool isPrimarySpace(const Id &id) const override { return tick(), state_.isPrimarySpace(id); }
    std::optional<MessageKey> resolve(MailboxKey m, const Id &id) const override
    {
        return tick(), state_.resolve(m, id);
    }
    std::optional<MailboxKey> aliasMailbox(const Id &id) const override { return tick(), state_.aliasMailbox(id); }
    MessageContent content(MailboxKey m, MessageKey key) const override { return tick(), state_.content(m, key); }
    std::vector<KeyedContent> select(MailboxKey m, const MessageQuery &q) const override
    {
        return tick(), state_.select(m, q);
    }
    std::vector<MessageKey> allKeys(MailboxKey m) const override { return tick(), state_.allKeys(m); }
    std::vector<MessageKey> keysFromSender(MailboxKey m, const Id &sender) const override
    {
        return tick(), state_.keysFromSender(m, sender);
    }
    std::vector<MessageKey> keysReceivedBetween(MailboxKey m, DateTime from, DateTime to) const override
    {
        return tick(), state_.keysReceivedBetween(m, from, to);
    }
    MailboxKey createMailbox(const std::string &name, const std::string &description, const Type &genus) override
    {
        return tick(), state_.createMailbox(name, description, genus);
    }
    MessageKey insert(MailboxKey m, const MessageContent &c) override { return tick(), state_.insert(m, c); }
    void replace(MailboxKey m, MessageKey key, const MessageContent &previous, const MessageContent &c) override
    {
        tick();
        state_.replace(m, key, previous, c);
    }
    void erase(MailboxKey m, MessageKey key) override
    {
        tick();
        state_.erase(m, key);
    }
    std::vector<MessageKey> eraseKeys(MailboxKey m, std::vector<MessageKey> keys) override
    {
        return tick(), state_.eraseKeys(m, std::move(keys));
    }
    void setAlias(const Id &alias, MessageKey key) override
    {
        tick();
        state_.setAlias(alias, key);
    }
    void dropDanglingAliases() override
    {
        tick();
        state_.dropDanglingAliases();
    }

    impl::memory::StoreState state_;
    std::string authority_ = "faulty.test";
    int failAt_ = 0;
    mutable int operations_ = 0;
    mutable bool triggered_ = false;
};

Id resource(const std::string &name) { return Id("test.example.org", "resource.Resource", name); }
DateTime at(std::int64_t seconds)
{
    return DateTime::fromMicroseconds(1'767'225'600'000'000LL + seconds * 1'000'000LL);
}
const Id kAlias("legacy.example.org", "mail", "a");

// A manager over a fresh FaultyStore holding two delivered messages (one
// aliased) and one unsent one, with every session the methods need.
struct World {
    std::shared_ptr<FaultyStore> store = std::make_shared<FaultyStore>();
    std::shared_ptr<messaging::MessagingManager> manager;
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> admin;
    std::unique_ptr<messaging::MessageLookupSession> lookup;
    std::unique_ptr<messaging::MessagingSession> messaging;
    std::unique_ptr<messaging::MailboxLookupSession> mailboxLookup;
    std::unique_ptr<messaging::MailboxAdminSession> mailboxAdmin;
    std::vector<Id> ids;
    Id mailboxId;

    World()
    {
        impl::StoreProvider provider;
        provider.name = "faulty";
        provider.displayName = "faulty";
        provider.openStore = [s = store] { return s; };
        provider.rules = std::make_shared<const impl::FormRules>();
        manager = impl::makeStoreMessagingManager(std::move(provider));
        admin = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
        lookup = manager->getMessageLookupSession();
        messaging = manager->getMessagingSession();
        mailboxLookup = manager->getMailboxLookupSession();
        mailboxAdmin = manager->getMailboxAdminSession();
        for (int i = 0; i < 2; ++i) {
            auto form = admin->getMessageFormForCreate({deliveryRecordType()});
            form->setSubjectLine("subject");
            form->setText("text");
            deliveryFormRecord(*form).setSender(resource("alice"));
            deliveryFormRecord(*form).setSentTime(at(i * 60));
            deliveryFormRecord(*form).setRecipients({resource("bob")});
            ids.push_back(admin->createMessage(*form)->getId());
        }
        ids.push_back(admin->createMessage(*admin->getMessageFormForCreate({}))->getId());
        admin->aliasMessage(ids[0], kAlias);
        mailboxId = admin->getMailboxId();
        store->aliases_ = {kAlias, Id("legacy.example.org", "mail", "b")};
    }
};

using Operation = std::function<void(World &)>;

std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> collectForms(
    messaging::batch::MessageBatchFormList &list)
{
    std::vector<std::shared_ptr<messaging::batch::MessageBatchForm>> out;
    for (const auto &form : list)
        out.push_back(form);
    return out;
}

// Runs `operation` on a fresh world failing at store operation 1, 2, ...:
// each failing run must raise OperationFailed and change nothing. Returns
// how many store operations the method makes.
int checkEveryFault(const std::string &name, const Operation &operation)
{
    for (int n = 1;; ++n) {
        World world;
        const auto before = world.store->dump();
        world.store->failAt(n);
        bool failed = false;
        try {
            operation(world);
        } catch (const OperationFailed &e) {
            failed = true;
            CHECK_MESSAGE(std::string(e.what()).find("injected fault") != std::string::npos,
                          name << ": the cause is lost: " << e.what());
        } catch (const std::exception &e) {
            FAIL_CHECK(name << " at store operation " << n << " raised a non-OperationFailed error: " << e.what());
            failed = true;
        }
        const bool triggered = world.store->triggered();
        world.store->failAt(0);
        if (!triggered) {
            CHECK_MESSAGE(!failed, name << " failed without a fault");
            return n - 1;
        }
        CHECK_MESSAGE(failed, name << " swallowed the fault at store operation " << n);
        CHECK_MESSAGE(world.store->dump() == before,
                      name << " changed the store although it failed at operation " << n);
        if (n > 1000) {
            FAIL_CHECK(name << " makes more than 1000 store operations");
            return n;
        }
    }
}

std::map<std::string, Operation> operations()
{
    using transaction::batch::AliasRequest;
    std::map<std::string, Operation> ops;
    // MessageBatchAdminSession.
    ops["admin.getMailboxId"] = [](World &w) { w.admin->getMailboxId(); };
    ops["admin.getMailbox"] = [](World &w) { w.admin->getMailbox(); };
    ops["admin.createMessage"] = [](World &w) { w.admin->createMessage(*w.admin->getMessageFormForCreate({})); };
    ops["admin.getMessageFormForUpdate"] = [](World &w) { w.admin->getMessageFormForUpdate(w.ids[0]); };
    ops["admin.updateMessage"] = [](World &w) {
        auto form = w.admin->getMessageFormForUpdate(w.ids[0]);
        form->setText("changed");
        w.admin->updateMessage(*form);
    };
    ops["admin.updateMessages"] = [](World &w) {
        VectorList<IdList> ids(w.ids);
        auto forms = collectForms(*w.admin->getMessageFormsForUpdate(ids));
        for (auto &form : forms)
            form->setText("changed");
        VectorList<messaging::batch::MessageBatchFormList> list(forms);
        w.admin->updateMessages(list);
    };
    ops["admin.deleteMessage"] = [](World &w) { w.admin->deleteMessage(w.ids[1]); };
    ops["admin.aliasMessage"] = [](World &w) {
        w.admin->aliasMessage(w.ids[1], Id("legacy.example.org", "mail", "b"));
    };
    ops["admin.createMessages"] = [](World &w) {
        auto forms = w.admin->getMessageFormsForCreate(3, {});
        w.admin->createMessages(*forms);
    };
    ops["admin.getMessageFormsForUpdate"] = [](World &w) {
        VectorList<IdList> ids(w.ids);
        w.admin->getMessageFormsForUpdate(ids);
    };
    ops["admin.deleteAllMessages"] = [](World &w) { w.admin->deleteAllMessages(); };
    ops["admin.deleteMessagesBySender"] = [](World &w) { w.admin->deleteMessagesBySender(resource("alice")); };
    ops["admin.deleteMessagesByDate"] = [](World &w) { w.admin->deleteMessagesByDate(at(0), at(1000)); };
    ops["admin.aliasMessages"] = [](World &w) {
        VectorList<transaction::batch::AliasRequestList> list(
            {AliasRequest(w.ids[1], Id("legacy.example.org", "mail", "b")), AliasRequest(w.ids[0], kAlias)});
        w.admin->aliasMessages(list);
    };
    // MessageLookupSession.
    ops["lookup.getMailboxId"] = [](World &w) { w.lookup->getMailboxId(); };
    ops["lookup.getMailbox"] = [](World &w) { w.lookup->getMailbox(); };
    ops["lookup.getMessage"] = [](World &w) { w.lookup->getMessage(kAlias); };
    ops["lookup.getMessagesByIds"] = [](World &w) {
        VectorList<IdList> ids(w.ids);
        w.lookup->getMessagesByIds(ids);
    };
    ops["lookup.getMessagesByGenusType"] = [](World &w) { w.lookup->getMessagesByGenusType(Type("a", "b", "c")); };
    ops["lookup.getMessagesByRecordType"] = [](World &w) { w.lookup->getMessagesByRecordType(deliveryRecordType()); };
    ops["lookup.getMessagesBySentTime"] = [](World &w) { w.lookup->getMessagesBySentTime(at(0), at(100)); };
    ops["lookup.getMessagesFromSender"] = [](World &w) { w.lookup->getMessagesFromSender(resource("alice")); };
    ops["lookup.getMessagesBySentTimeFromSender"] = [](World &w) {
        w.lookup->getMessagesBySentTimeFromSender(resource("alice"), at(0), at(100));
    };
    ops["lookup.getMessagesForRecipient"] = [](World &w) { w.lookup->getMessagesForRecipient(resource("bob")); };
    ops["lookup.getMessagesByReceivedTimeForRecipient"] = [](World &w) {
        w.lookup->getMessagesByReceivedTimeForRecipient(resource("bob"), at(0), at(100));
    };
    ops["lookup.getMessagesFromSenderForRecipient"] = [](World &w) {
        w.lookup->getMessagesFromSenderForRecipient(resource("alice"), resource("bob"));
    };
    ops["lookup.getMessages"] = [](World &w) { w.lookup->getMessages(); };
    // MessagingSession.
    ops["messaging.getMailboxId"] = [](World &w) { w.messaging->getMailboxId(); };
    ops["messaging.getMailbox"] = [](World &w) { w.messaging->getMailbox(); };
    ops["messaging.sendMessage"] = [](World &w) {
        VectorList<IdList> recipients({resource("carol")});
        w.messaging->sendMessage(w.ids[2], recipients);
    };
    ops["messaging.getUnsentMessages"] = [](World &w) { w.messaging->getUnsentMessages(); };
    // Mailbox sessions.
    ops["mailboxLookup.getMailbox"] = [](World &w) { w.mailboxLookup->getMailbox(w.mailboxId); };
    ops["mailboxLookup.getMailboxesByIds"] = [](World &w) {
        VectorList<IdList> ids({w.mailboxId});
        w.mailboxLookup->getMailboxesByIds(ids);
    };
    ops["mailboxLookup.getMailboxes"] = [](World &w) { w.mailboxLookup->getMailboxes(); };
    ops["mailboxAdmin.createMailbox"] = [](World &w) {
        w.mailboxAdmin->createMailbox(*w.mailboxAdmin->getMailboxFormForCreate({}));
    };
    // Managers: sessions for a mailbox look the mailbox up.
    ops["manager.getMessageLookupSessionForMailbox"] = [](World &w) {
        w.manager->getMessageLookupSessionForMailbox(w.mailboxId);
    };
    return ops;
}

} // namespace

TEST_CASE("every session method answers a store's non-OSID error with OperationFailed and changes nothing")
{
    for (const auto &entry : operations()) {
        const auto &name = entry.first;
        const auto &operation = entry.second;
        CAPTURE(name);
        const int storeOperations = checkEveryFault(name, operation);
        CHECK_MESSAGE(storeOperations > 0, name << " made no store operation, so no fault was tried");
    }
}
