#include "fixture.h"

#include "check.h"

#include <map>
#include <mutex>
#include <random>

#include <unistd.h>

namespace osid::conformance {

namespace {

// A token drawn afresh in each process: with it, Ids the checks make up
// are unique across the forked children of one run and across runs on
// one store.
struct ProcessToken {
    std::mutex mutex;
    pid_t pid = 0;
    std::string prefix;
    std::uint64_t next = 0;

    // The prefix, and the next serial of this process.
    std::pair<std::string, std::uint64_t> take()
    {
        std::lock_guard lock(mutex);
        if (pid != ::getpid()) {
            pid = ::getpid();
            std::random_device random;
            prefix = fmt::format("{:08x}{:08x}", random(), random());
            next = 0;
        }
        return {prefix, next++};
    }
};

ProcessToken &processToken()
{
    static ProcessToken token;
    return token;
}

} // namespace

Id unknownId(const std::string &hint)
{
    auto [prefix, serial] = processToken().take();
    return Id("conformance.osid-cpp", "test.Unknown", fmt::format("{}-{}-{}", hint, prefix, serial));
}

Id legacyId(const std::string &name)
{
    return Id("legacy.example.org", "mail", fmt::format("{}-{}", name, processToken().take().first));
}

Fixture::Fixture(ManagerSource source, const std::string &mailboxName, Mailbox mailbox)
    : manager(source()), source_(std::move(source))
{
    EXPECT_MSG(manager != nullptr, "the provider gave no MessagingManager");
    if (manager->supportsMessagingBatch())
        batchManager = manager->getMessagingBatchManager();
    if (mailbox == Mailbox::Own && manager->supportsMailboxAdmin())
        mailboxId = newMailbox(mailboxName);
    if (batchManager && batchManager->supportsMessageBatchAdmin())
        session = newBatchSession();
    if (manager->supportsMessageLookup())
        lookup = mailboxId.isNull() ? manager->getMessageLookupSession()
                                    : manager->getMessageLookupSessionForMailbox(mailboxId);
    if (mailboxId.isNull() && session)
        mailboxId = session->getMailboxId();
}

std::unique_ptr<messaging::batch::MessageBatchAdminSession> Fixture::newBatchSession()
{
    return mailboxId.isNull() ? batchManager->getMessageBatchAdminSession()
                              : batchManager->getMessageBatchAdminSessionForMailbox(mailboxId);
}

void fillDelivered(messaging::MessageForm &form, const Delivered &m)
{
    form.setSubjectLine(m.subject);
    form.setText(m.text);
    auto &delivery = deliveryFormRecord(form);
    delivery.setSender(m.sender);
    delivery.setSentTime(m.sent);
    delivery.setRecipients(m.recipients);
}

std::vector<std::shared_ptr<MessageBatchForm>> Fixture::deliveryForms(const std::vector<Delivered> &messages)
{
    std::vector<std::shared_ptr<MessageBatchForm>> forms;
    for (auto form : session->getMessageFormsForCreate(messages.size(), {deliveryRecordType()})) {
        fillDelivered(*form, messages.at(forms.size()));
        forms.push_back(form);
    }
    EXPECT_EQ(forms.size(), messages.size());
    return forms;
}

std::vector<Id> Fixture::import(const std::vector<Delivered> &messages)
{
    auto forms = deliveryForms(messages);
    VectorList<MessageBatchFormList> list(forms);
    std::map<Id, Id> created;
    for (const auto &r : session->createMessages(list)) {
        EXPECT_MSG(r.isSuccessful(), "importing test messages failed: {}", r.getErrorMessage().getText());
        created.emplace(r.getFormId(), r.getCreatedId());
    }
    std::vector<Id> ids;
    for (const auto &f : forms) {
        auto it = created.find(f->getId());
        EXPECT_MSG(it != created.end(), "importing test messages: no response for form {}", f->getId().toString());
        ids.push_back(it->second);
    }
    return ids;
}

std::vector<Id> Fixture::importFrom(const Id &sender, int n, std::int64_t firstSent)
{
    std::vector<Delivered> messages;
    for (int i = 0; i < n; ++i)
        messages.push_back(
            {"subject " + std::to_string(i), "text " + std::to_string(i), sender, at(firstSent + i * 60)});
    return import(messages);
}

Id Fixture::newMailbox(const std::string &displayName)
{
    auto admin = manager->getMailboxAdminSession();
    auto form = admin->getMailboxFormForCreate({});
    if (!displayName.empty())
        form->setDisplayName(displayName);
    return admin->createMailbox(*form)->getId();
}

std::set<Id> Fixture::visibleIds() { return idSet(lookup->getMessages()); }

} // namespace osid::conformance
