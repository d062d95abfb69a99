// Fixture: what a conformance check works with. A fresh manager from the
// provider under test, a mailbox of the check's own (when the provider can
// create mailboxes; its default mailbox otherwise) and a session of each
// supported kind bound to it, reached only through the OSID interfaces.
// Plus small helpers that keep the checks short.

#pragma once

#include "messaging/batch/message_batch_admin_session.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/mailbox_admin_session.h"
#include "messaging/mailbox_lookup_session.h"
#include "messaging/message_lookup_session.h"
#include "messaging/messaging_manager.h"
#include "messaging/messaging_session.h"
#include "messaging/records/delivery_record.h"
#include "osid/errors.h"
#include "osid/vector_list.h"
#include "transaction/transaction.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace osid::conformance {

using messaging::batch::MessageBatchForm;
using messaging::batch::MessageBatchFormList;
using messaging::records::deliveryFormRecord;
using messaging::records::deliveryRecordType;
using transaction::batch::AliasRequest;
using transaction::batch::AliasRequestList;

// A resource (sender or recipient) Id.
inline Id resource(const std::string &name) { return Id("test.example.org", "resource.Resource", name); }

// An Id no provider issues: unique within the process, so "unknown" Ids
// and fresh aliases never collide between checks.
Id unknownId(const std::string &hint = "unknown");

// An alias Id named `name`: the same Id for the same name within a
// process, and unique across processes, so that checks run on one store
// (forked, or run again on the same file) never share an alias.
Id legacyId(const std::string &name);

// A DateTime `seconds` after 2026-01-01T00:00:00Z.
inline DateTime at(std::int64_t seconds)
{
    return DateTime::fromMicroseconds(1'767'225'600'000'000LL + seconds * 1'000'000LL);
}

// What an imported message should hold.
struct Delivered {
    std::string subject;
    std::string text;
    Id sender;
    DateTime sent;
    std::vector<Id> recipients = {};
};

// Sets a create form's subject, text and delivery record from `m`. The
// form must carry the delivery record type.
void fillDelivered(messaging::MessageForm &form, const Delivered &m);

// Reads any OSID list into a vector.
template <class List>
auto collect(List &list)
{
    std::vector<typename List::value_type> out;
    for (const auto &item : list)
        out.push_back(item);
    return out;
}

template <class List>
auto collect(const std::unique_ptr<List> &list)
{
    return collect(*list);
}

// The Ids of the objects in a list, as a set and in list order.
template <class List>
std::set<Id> idSet(const std::unique_ptr<List> &objects)
{
    std::set<Id> ids;
    for (const auto &o : objects)
        ids.insert(o->getId());
    return ids;
}

template <class List>
std::vector<Id> idSequence(const std::unique_ptr<List> &objects)
{
    std::vector<Id> ids;
    for (const auto &o : objects)
        ids.push_back(o->getId());
    return ids;
}

// A fresh manager of the provider under test, initialized and ready.
using ManagerSource = std::function<std::shared_ptr<messaging::MessagingManager>()>;

class Fixture {
public:
    // Where the sessions work: a new mailbox (named `mailboxName`), which
    // the suite uses, or the provider's default mailbox.
    enum class Mailbox { Own, Default };

    // Sessions for a mailbox of a manager from `source`, each only if the
    // manager's profile supports it.
    explicit Fixture(ManagerSource source, const std::string &mailboxName = {}, Mailbox mailbox = Mailbox::Own);

    // Another manager of the same provider: another store, or another
    // view of the same one, as the provider decides.
    std::shared_ptr<messaging::MessagingManager> newManager() const { return source_(); }

    std::shared_ptr<messaging::MessagingManager> manager;
    std::shared_ptr<messaging::batch::MessagingBatchManager> batchManager; // null if not supported
    Id mailboxId;                                                          // the mailbox the sessions use
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> session;   // null if not supported
    std::unique_ptr<messaging::MessageLookupSession> lookup;               // null if not supported

    // Another batch session over the same mailbox.
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> newBatchSession();

    // Fresh delivery-record create forms filled with `messages`.
    std::vector<std::shared_ptr<MessageBatchForm>> deliveryForms(const std::vector<Delivered> &messages);

    // Imports `messages` and returns their Ids, in the order given. A
    // failed import fails the check.
    std::vector<Id> import(const std::vector<Delivered> &messages);

    // `n` messages from `sender`, sent one minute apart from `firstSent`.
    std::vector<Id> importFrom(const Id &sender, int n, std::int64_t firstSent = 0);

    // A new mailbox besides the fixture's.
    Id newMailbox(const std::string &displayName = {});

    // The Ids of every message the lookup session sees.
    std::set<Id> visibleIds();

private:
    ManagerSource source_;
};

} // namespace osid::conformance
