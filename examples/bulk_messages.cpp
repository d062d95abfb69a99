// bulk-messages: imports a few thousand already-sent messages through a
// provider's MessageBatchAdminSession, then updates, aliases, looks up and
// deletes them in bulk, printing what each step did.
//
// Usage: bulk-messages [COUNT] [PROVIDER]
//   (default 5000, sqlite:bulk-messages.db: the embedded default provider,
//   on a file in the working directory)
//
// PROVIDER is anything the provider runtime can load: "sqlite:FILE",
// "sqlite::memory:", "memory", or a plug-in's name and configuration
// (docs/providers.md).

#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"
#include "runtime/provider_runtime.h"

#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using namespace osid;
using messaging::batch::MessageBatchForm;
using messaging::batch::MessageBatchFormList;
using messaging::records::deliveryFormRecord;
using messaging::records::deliveryRecordType;
using transaction::batch::AliasRequest;
using transaction::batch::AliasRequestList;

namespace {

// Tallies a response list: how many succeeded, and failures by message.
template <class List>
std::string summarize(const List &responses)
{
    std::size_t ok = 0;
    std::map<std::string, std::size_t> failures;
    for (const auto &r : responses) {
        if (r.isSuccessful())
            ++ok;
        else
            ++failures[r.getErrorMessage().getText()];
    }
    std::string out = fmt::format("{} succeeded", ok);
    for (const auto &[message, n] : failures)
        out += fmt::format(", {} failed ({})", n, message);
    return out;
}

Id resource(int n) { return Id("example.org", "resource.Resource", fmt::format("user{}", n)); }

} // namespace

int main(int argc, char **argv)
{
    const int count = argc > 1 ? std::atoi(argv[1]) : 5000;
    const std::string provider = argc > 2 ? argv[2] : "sqlite:bulk-messages.db";
    if (count <= 0 || argc > 3) {
        fmt::print(stderr, "usage: bulk-messages [COUNT] [PROVIDER]   (COUNT > 0; PROVIDER defaults to "
                           "sqlite:bulk-messages.db)\n");
        return 2;
    }
    const auto start = DateTime::parse("2026-11-01T00:00:00Z");
    constexpr int kSenders = 10;

    std::shared_ptr<messaging::MessagingManager> manager;
    try {
        manager = runtime::getMessagingManager(*runtime::makeProviderRuntime(), provider);
    } catch (const OsidException &e) {
        fmt::print(stderr, "bulk-messages: cannot use provider \"{}\": {}\n", provider, e.what());
        return 2;
    }
    auto session = manager->getMessagingBatchManager()->getMessageBatchAdminSession();
    auto lookup = manager->getMessageLookupSession();
    fmt::print("store: {} ({})\n", manager->getDisplayName().getText(), session->getMailboxId().toString());

    // 1. Create: one form per message, each with the delivery record.
    std::vector<std::shared_ptr<MessageBatchForm>> filled;
    for (auto form : session->getMessageFormsForCreate(static_cast<std::uint64_t>(count), {deliveryRecordType()})) {
        const int i = static_cast<int>(filled.size());
        form->setSubjectLine(fmt::format("Report {}", i));
        form->setText(fmt::format("Body of message {}.", i));
        auto &delivery = deliveryFormRecord(*form);
        delivery.setSender(resource(i % kSenders));
        delivery.setRecipients({resource(100 + i % 7)});
        delivery.setSentTime(DateTime::fromMicroseconds(start.toMicroseconds() + i * 60'000'000LL));
        filled.push_back(form);
    }
    // One form is submitted twice: the second copy fails alone.
    filled.push_back(filled.front());
    VectorList<MessageBatchFormList> createForms(filled);
    auto created = session->createMessages(createForms);
    std::vector<Id> ids;
    std::size_t ok = 0;
    std::map<std::string, std::size_t> failures;
    for (const auto &r : created) {
        if (r.isSuccessful()) {
            ++ok;
            ids.push_back(r.getCreatedId());
        } else {
            ++failures[r.getErrorMessage().getText()];
        }
    }
    fmt::print("create  {} forms: {} succeeded", filled.size(), ok);
    for (const auto &[message, n] : failures)
        fmt::print(", {} failed ({})", n, message);
    fmt::print("\n");

    // 2. Update the text of every tenth message.
    std::vector<Id> toUpdate;
    for (std::size_t i = 0; i < ids.size(); i += 10)
        toUpdate.push_back(ids[i]);
    VectorList<IdList> updateIds(toUpdate);
    std::vector<std::shared_ptr<MessageBatchForm>> updates;
    for (auto form : session->getMessageFormsForUpdate(updateIds)) {
        form->setText("Corrected body.");
        updates.push_back(form);
    }
    VectorList<MessageBatchFormList> updateForms(updates);
    fmt::print("update  {} forms: {}\n", updates.size(), summarize(session->updateMessages(updateForms)));

    // 3. Give the first hundred messages a legacy Id, plus one bad request.
    std::vector<AliasRequest> requests;
    for (std::size_t i = 0; i < ids.size() && i < 100; ++i)
        requests.emplace_back(ids[i], Id("legacy.example.org", "mail", fmt::format("msg-{}", i)));
    requests.emplace_back(Id("example.org", "messaging.Message", "no-such-message"),
                          Id("legacy.example.org", "mail", "orphan"));
    VectorList<AliasRequestList> aliasRequests(requests);
    fmt::print("alias   {} requests: {}\n", requests.size(), summarize(session->aliasMessages(aliasRequests)));
    auto viaAlias = lookup->getMessage(Id("legacy.example.org", "mail", "msg-0"));
    fmt::print("lookup  legacy msg-0 -> {} \"{}\"\n", viaAlias->getId().toString(),
               viaAlias->getSubjectLine().getText());

    // 4. Delete one sender's messages, then the first day's.
    fmt::print("delete  by sender {}: {}\n", resource(3).getIdentifier(),
               summarize(session->deleteMessagesBySender(resource(3))));
    const auto dayEnd = DateTime::fromMicroseconds(start.toMicroseconds() + 86'400'000'000LL - 1);
    fmt::print("delete  by date {} .. {}: {}\n", start.toString(), dayEnd.toString(),
               summarize(session->deleteMessagesByDate(start, dayEnd)));

    // 5. Count what is left, then empty the mailbox.
    std::size_t left = 0;
    for (const auto &message : lookup->getMessages()) {
        (void)message;
        ++left;
    }
    fmt::print("lookup  {} messages left in the mailbox\n", left);
    fmt::print("delete  all: {}\n", summarize(session->deleteAllMessages()));
    try {
        lookup->getMessage(Id("legacy.example.org", "mail", "msg-0"));
    } catch (const NotFound &e) {
        fmt::print("lookup  legacy msg-0 after delete: {}\n", e.what());
    }
    return 0;
}
