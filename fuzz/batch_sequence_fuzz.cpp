// Fuzz target: a random sequence of batch operations on a fresh store,
// checked after every step against a model of what each call reported.
//
// Operations: createMessages, getMessageFormsForUpdate + updateMessages
// (also of deleted messages, which must fail whole), aliasMessages (also to
// deleted messages), deleteMessagesBySender, deleteMessagesByDate (also
// with the range inverted, which must fail whole), deleteAllMessages.
// Invariants: one response per item, deletes report exactly the messages
// the model holds for them, and lookups (by Id and through every alias)
// agree with the model: nothing lost, nothing extra, nothing stale.
//
// The provider is the memory one, or SQLite (sqlite::memory:) when the
// environment sets OSID_FUZZ_PROVIDER=sqlite.

#include "fuzz/fuzz_input.h"
#include "impl/memory/memory_provider.h"
#include "impl/sqlite/sqlite_provider.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace osid;
using namespace osid::messaging::batch;
using namespace osid::transaction::batch;
using osid_fuzz::FuzzInput;

namespace {

struct Stored {
    unsigned sender;
    std::int64_t time;
    std::string text;
};

Id senderId(unsigned s) { return Id("fuzz.example.org", "resource.Resource", std::to_string(s)); }
Id aliasId(unsigned a) { return Id("fuzz.example.org", "fuzz.Alias", std::to_string(a)); }
DateTime at(std::int64_t seconds) { return DateTime::fromMicroseconds(seconds * 1'000'000); }

std::shared_ptr<messaging::MessagingManager> freshManager()
{
    const char *provider = std::getenv("OSID_FUZZ_PROVIDER");
    if (provider != nullptr && std::string(provider) == "sqlite")
        return impl::sqlite::makeSqliteMessagingManager({});
    return impl::memory::makeMemoryMessagingManager();
}

class Run {
public:
    explicit Run(FuzzInput &in)
        : in_(in), manager_(freshManager()),
          session_(manager_->getMessagingBatchManager()->getMessageBatchAdminSession()),
          lookup_(manager_->getMessageLookupSession())
    {
    }

    void step()
    {
        switch (in_.below(6)) {
        case 0: create(); break;
        case 1: update(); break;
        case 2: alias(); break;
        case 3: deleteBySender(); break;
        case 4: deleteByDate(); break;
        case 5: deleteAll(); break;
        }
        check();
    }

private:
    // An Id ever created, live or deleted; none when nothing was created.
    const Id *anyCreated()
    {
        return created_.empty() ? nullptr : &created_[in_.below(static_cast<unsigned>(created_.size()))];
    }

    void create()
    {
        const unsigned n = 1 + in_.below(6);
        auto forms = session_->getMessageFormsForCreate(n, {messaging::records::deliveryRecordType()});
        std::vector<std::shared_ptr<MessageBatchForm>> filled;
        std::vector<Stored> wanted;
        for (unsigned i = 0; i < n; ++i) {
            Stored s{in_.below(4), in_.below(16), "t" + std::to_string(in_.byte())};
            auto form = forms->getNextMessageBatchForm();
            form->setSubjectLine("s");
            form->setText(s.text);
            auto &delivery = messaging::records::deliveryFormRecord(*form);
            delivery.setSender(senderId(s.sender));
            delivery.setSentTime(at(s.time));
            delivery.setReceivedTime(at(s.time));
            filled.push_back(form);
            wanted.push_back(s);
        }
        VectorList<MessageBatchFormList> list(filled);
        auto responses = session_->createMessages(list);
        std::size_t i = 0;
        for (const auto &r : *responses) {
            FUZZ_REQUIRE(i < n);
            FUZZ_REQUIRE(r.isSuccessful());
            FUZZ_REQUIRE(model_.count(r.getCreatedId()) == 0);
            model_[r.getCreatedId()] = wanted[i++];
            created_.push_back(r.getCreatedId());
        }
        FUZZ_REQUIRE(i == n);
    }

    void update()
    {
        std::set<Id> chosen;
        for (unsigned k = 1 + in_.below(3); k > 0; --k)
            if (const Id *id = anyCreated())
                chosen.insert(*id);
        if (chosen.empty())
            return;
        bool anyDeleted = false;
        for (const auto &id : chosen)
            anyDeleted = anyDeleted || model_.count(id) == 0;
        VectorList<IdList> ids(std::vector<Id>(chosen.begin(), chosen.end()));
        std::unique_ptr<MessageBatchFormList> forms;
        try {
            forms = session_->getMessageFormsForUpdate(ids);
        } catch (const NotFound &) {
            FUZZ_REQUIRE(anyDeleted);
            return;
        }
        FUZZ_REQUIRE(!anyDeleted);
        std::vector<std::shared_ptr<MessageBatchForm>> filled;
        std::map<Id, std::string> texts;
        while (forms->hasNext()) {
            auto form = forms->getNextMessageBatchForm();
            const auto text = "u" + std::to_string(in_.byte());
            form->setText(text);
            texts[form->getMessageId()] = text;
            filled.push_back(form);
        }
        FUZZ_REQUIRE(filled.size() == chosen.size());
        VectorList<MessageBatchFormList> list(filled);
        auto responses = session_->updateMessages(list);
        std::size_t count = 0;
        for (const auto &r : *responses) {
            FUZZ_REQUIRE(r.isSuccessful());
            FUZZ_REQUIRE(texts.count(r.getUpdatedId()) == 1);
            model_[r.getUpdatedId()].text = texts[r.getUpdatedId()];
            ++count;
        }
        FUZZ_REQUIRE(count == chosen.size());
    }

    void alias()
    {
        const Id *target = anyCreated();
        if (target == nullptr)
            return;
        const unsigned a = in_.below(4);
        VectorList<AliasRequestList> requests({AliasRequest(*target, aliasId(a))});
        auto responses = session_->aliasMessages(requests);
        std::size_t count = 0;
        for (const auto &r : *responses) {
            ++count;
            // Only a live message takes an alias.
            FUZZ_REQUIRE(r.isSuccessful() == (model_.count(*target) == 1));
            if (r.isSuccessful())
                aliases_[a] = *target;
        }
        FUZZ_REQUIRE(count == 1);
    }

    // Checks that `responses` deleted exactly the model's messages that
    // `matches`, and removes them from the model.
    template <class Match>
    void expectDeleted(DeleteResponseList &responses, Match matches)
    {
        std::set<Id> reported;
        for (const auto &r : responses) {
            FUZZ_REQUIRE(r.isSuccessful());
            FUZZ_REQUIRE(reported.insert(r.getDeletedId()).second);
        }
        std::set<Id> wanted;
        for (const auto &[id, stored] : model_)
            if (matches(stored))
                wanted.insert(id);
        FUZZ_REQUIRE(reported == wanted);
        for (const auto &id : wanted)
            model_.erase(id);
    }

    void deleteBySender()
    {
        const unsigned s = in_.below(5); // 4 names a sender with no messages
        auto responses = session_->deleteMessagesBySender(senderId(s));
        expectDeleted(*responses, [&](const Stored &m) { return m.sender == s; });
    }

    void deleteByDate()
    {
        const std::int64_t from = in_.below(17), to = in_.below(17);
        if (from > to) {
            bool refused = false;
            try {
                session_->deleteMessagesByDate(at(from), at(to));
            } catch (const InvalidArgument &) {
                refused = true;
            }
            FUZZ_REQUIRE(refused);
            return;
        }
        auto responses = session_->deleteMessagesByDate(at(from), at(to));
        expectDeleted(*responses, [&](const Stored &m) { return from <= m.time && m.time <= to; });
    }

    void deleteAll()
    {
        auto responses = session_->deleteAllMessages();
        expectDeleted(*responses, [](const Stored &) { return true; });
    }

    void check()
    {
        std::size_t count = 0;
        auto all = lookup_->getMessages();
        for (const auto &m : *all) {
            ++count;
            auto it = model_.find(m->getId());
            FUZZ_REQUIRE(it != model_.end());
            FUZZ_REQUIRE(m->getSenderId() == senderId(it->second.sender));
            FUZZ_REQUIRE(m->getText().getText() == it->second.text);
            FUZZ_REQUIRE(m->getReceivedTime() == at(it->second.time));
        }
        FUZZ_REQUIRE(count == model_.size());
        for (const auto &[a, target] : aliases_) {
            if (model_.count(target) == 1) {
                FUZZ_REQUIRE(lookup_->getMessage(aliasId(a))->getId() == target);
            } else {
                bool missing = false;
                try {
                    lookup_->getMessage(aliasId(a));
                } catch (const NotFound &) {
                    missing = true;
                }
                FUZZ_REQUIRE(missing);
            }
        }
    }

    FuzzInput &in_;
    std::shared_ptr<messaging::MessagingManager> manager_;
    std::unique_ptr<MessageBatchAdminSession> session_;
    std::unique_ptr<messaging::MessageLookupSession> lookup_;
    std::map<Id, Stored> model_;
    std::vector<Id> created_;
    std::map<unsigned, Id> aliases_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    FuzzInput in(data, size);
    Run run(in);
    for (int step = 0; step < 32 && !in.empty(); ++step)
        run.step();
    return 0;
}
