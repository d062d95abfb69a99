// ProviderFixture: a fresh store and a session of each kind, reached only
// through the OSID interfaces, so the same tests can later run against any
// provider. Plus small helpers that keep the tests short.

#pragma once

#include "impl/memory/memory_provider.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/messaging_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace osid::testing {

using messaging::batch::MessageBatchForm;
using messaging::batch::MessageBatchFormList;
using messaging::records::deliveryFormRecord;
using messaging::records::deliveryRecordType;
using transaction::batch::AliasRequest;
using transaction::batch::AliasRequestList;

// A resource (sender or recipient) Id.
inline Id resource(const std::string &name) { return Id("test.example.org", "resource.Resource", name); }

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

struct ProviderFixture {
    std::shared_ptr<messaging::MessagingManager> manager = impl::memory::makeMemoryMessagingManager();
    std::shared_ptr<messaging::batch::MessagingBatchManager> batchManager = manager->getMessagingBatchManager();
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> session = batchManager->getMessageBatchAdminSession();
    std::unique_ptr<messaging::MessageLookupSession> lookup = manager->getMessageLookupSession();

    // Fresh delivery-record create forms filled with `messages`.
    std::vector<std::shared_ptr<MessageBatchForm>> deliveryForms(const std::vector<Delivered> &messages)
    {
        std::vector<std::shared_ptr<MessageBatchForm>> forms;
        for (auto form : session->getMessageFormsForCreate(messages.size(), {deliveryRecordType()})) {
            const auto &m = messages[forms.size()];
            form->setSubjectLine(m.subject);
            form->setText(m.text);
            auto &delivery = deliveryFormRecord(*form);
            delivery.setSender(m.sender);
            delivery.setSentTime(m.sent);
            delivery.setRecipients(m.recipients);
            forms.push_back(form);
        }
        return forms;
    }

    // Imports `messages` and returns their Ids, in the order given.
    std::vector<Id> import(const std::vector<Delivered> &messages)
    {
        auto forms = deliveryForms(messages);
        VectorList<MessageBatchFormList> list(forms);
        std::map<Id, Id> created;
        for (const auto &r : session->createMessages(list)) {
            REQUIRE_MESSAGE(r.isSuccessful(), "import failed");
            created.emplace(r.getFormId(), r.getCreatedId());
        }
        std::vector<Id> ids;
        for (const auto &f : forms)
            ids.push_back(created.at(f->getId()));
        return ids;
    }

    // `n` messages from `sender`, sent one minute apart from `firstSent`.
    std::vector<Id> importFrom(const Id &sender, int n, std::int64_t firstSent = 0)
    {
        std::vector<Delivered> messages;
        for (int i = 0; i < n; ++i)
            messages.push_back({"subject " + std::to_string(i), "text " + std::to_string(i), sender,
                                at(firstSent + i * 60)});
        return import(messages);
    }

    // A new mailbox besides the default one.
    Id newMailbox(const std::string &displayName = {})
    {
        auto admin = manager->getMailboxAdminSession();
        auto form = admin->getMailboxFormForCreate({});
        form->setDisplayName(displayName);
        return admin->createMailbox(*form)->getId();
    }

    // The Ids of every message the lookup session sees.
    std::set<Id> visibleIds() { return idSet(lookup->getMessages()); }
};

} // namespace osid::testing
