// W1 through the OSID interfaces: getMessageFormsForCreate + setters +
// createMessages, getMessageFormsForUpdate + updateMessages, aliasMessages,
// deleteMessagesBySender, deleteMessagesByDate, getMessage, and
// deleteAllMessages. W1's sender and time are the delivery record's sender
// and sent/received time; its ids stay beside the provider's Ids.

#include "bench/w1_backend.h"
#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/vector_list.h"
#include "runtime/provider_runtime.h"

#include <charconv>
#include <stdexcept>
#include <unordered_map>

namespace w1 {

namespace {

using namespace osid;
using messaging::batch::MessageBatchForm;
using messaging::batch::MessageBatchFormList;

std::uint64_t numberOf(const Id &id)
{
    std::uint64_t v = 0;
    const auto &s = id.getIdentifier();
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

template <class List>
std::uint64_t succeeded(const List &responses)
{
    std::uint64_t n = 0;
    for (const auto &r : *responses) {
        if (!r.isSuccessful())
            throw std::runtime_error("an item failed: " + r.getErrorMessage().getText());
        ++n;
    }
    return n;
}

// Where a response's form stands in the batch. Responses may come in any
// order, so they are matched by form Id; a provider that keeps the forms'
// order is checked with one comparison per response, and the map is built
// only for one that does not.
class FormPositions {
public:
    explicit FormPositions(const std::vector<Id> &formIds) : formIds_(formIds) {}

    std::size_t of(const Id &formId, std::size_t responseNumber)
    {
        if (responseNumber < formIds_.size() && formIds_[responseNumber] == formId)
            return responseNumber;
        if (byId_.empty())
            for (std::size_t i = 0; i < formIds_.size(); ++i)
                byId_.emplace(formIds_[i], i);
        return byId_.at(formId);
    }

private:
    const std::vector<Id> &formIds_;
    std::unordered_map<Id, std::size_t> byId_;
};

class OsidBackend final : public Backend {
public:
    explicit OsidBackend(const std::string &implementation)
        : manager_(runtime::getMessagingManager(*runtime::makeProviderRuntime(), implementation)),
          session_(manager_->getMessagingBatchManager()->getMessageBatchAdminSession()),
          lookup_(manager_->getMessageLookupSession())
    {
        // Ids are values the caller builds: made once, outside the timing.
        for (std::uint64_t i = 0; i < kSenders; ++i)
            senders_.push_back(resource(i));
        for (std::uint64_t i = 0; i < kRecipients; ++i)
            recipients_.push_back(resource(i));
    }

    std::uint64_t create(const std::vector<Message> &batch) override
    {
        auto forms = session_->getMessageFormsForCreate(batch.size(), {messaging::records::deliveryRecordType()});
        std::vector<std::shared_ptr<MessageBatchForm>> filled;
        filled.reserve(batch.size());
        std::vector<Id> formIds;
        formIds.reserve(batch.size());
        std::vector<Id> to;
        for (const auto &m : batch) {
            auto form = forms->getNextMessageBatchForm();
            formIds.push_back(form->getId());
            form->setSubjectLine(m.subject);
            form->setText(m.text);
            auto &delivery = messaging::records::deliveryFormRecord(*form);
            delivery.setSender(senders_[m.sender]);
            const auto at = DateTime::fromMicroseconds(m.sentMicroseconds);
            delivery.setSentTime(at);
            delivery.setReceivedTime(at);
            to.clear();
            for (auto r : m.recipients)
                to.push_back(recipients_[r]);
            delivery.setRecipients(to);
            filled.push_back(std::move(form));
        }
        VectorList<MessageBatchFormList> list(std::move(filled));
        auto responses = session_->createMessages(list);
        const auto first = ids_.size();
        ids_.resize(first + batch.size());
        FormPositions position(formIds);
        std::uint64_t n = 0;
        for (const auto &r : *responses) {
            if (!r.isSuccessful())
                throw std::runtime_error("create failed: " + r.getErrorMessage().getText());
            ids_[first + position.of(r.getFormId(), n)] = r.getCreatedId();
            ++n;
        }
        for (const auto &m : batch)
            w1Ids_.push_back(m.id);
        return n;
    }

    std::uint64_t count() override
    {
        // Untimed: also index the provider's Ids for the digest.
        for (std::size_t i = 0; i < ids_.size(); ++i)
            indexOf_.emplace(ids_[i], i);
        return lookup_->getMessages()->available();
    }

    std::uint64_t update(const std::vector<std::pair<std::uint64_t, std::string>> &texts) override
    {
        std::vector<Id> targets;
        targets.reserve(texts.size());
        for (const auto &[index, text] : texts)
            targets.push_back(ids_[index]);
        VectorList<IdList> idList(std::move(targets));
        auto forms = session_->getMessageFormsForUpdate(idList);
        std::vector<std::shared_ptr<MessageBatchForm>> filled;
        filled.reserve(texts.size());
        for (const auto &[index, text] : texts) {
            auto form = forms->getNextMessageBatchForm();
            form->setText(text);
            filled.push_back(std::move(form));
        }
        VectorList<MessageBatchFormList> list(std::move(filled));
        return succeeded(session_->updateMessages(list));
    }

    std::uint64_t alias(const std::vector<std::pair<std::uint64_t, std::uint64_t>> &keyToIndex) override
    {
        std::vector<transaction::batch::AliasRequest> requests;
        requests.reserve(keyToIndex.size());
        for (const auto &[key, index] : keyToIndex)
            requests.emplace_back(ids_[index], aliasId(key));
        VectorList<transaction::batch::AliasRequestList> list(std::move(requests));
        return succeeded(session_->aliasMessages(list));
    }

    std::uint64_t deleteBySender(std::uint64_t sender) override
    {
        return succeeded(session_->deleteMessagesBySender(senders_[sender]));
    }

    std::uint64_t deleteBySentTime(std::int64_t from, std::int64_t to) override
    {
        // OSID date ranges include both ends; W1's excludes its end.
        return succeeded(
            session_->deleteMessagesByDate(DateTime::fromMicroseconds(from), DateTime::fromMicroseconds(to - 1)));
    }

    std::uint64_t deleteAll() override { return succeeded(session_->deleteAllMessages()); }

    std::optional<std::uint64_t> lookup(std::uint64_t index) override { return get(ids_[index], index); }
    std::optional<std::uint64_t> lookupByAlias(std::uint64_t key) override { return get(aliasId(key), std::nullopt); }

private:
    static Id resource(std::uint64_t n) { return Id("w1.example.org", "resource.Resource", std::to_string(n)); }
    // W1's alias keys are numbers, so the driver names them as a client
    // holding numeric keys would: Id::ofKey makes the Id that
    // Id("w1.example.org", "w1.Alias", std::to_string(key)) makes, without
    // a heap block or the decimal text.
    static Id aliasId(std::uint64_t key) { return Id::ofKey("w1.example.org", "w1.Alias", key); }

    // `asked`: where `id` stands in ids_, for a lookup by Id. The message
    // found is matched to its W1 id by its own Id: when that is the Id asked
    // for, its place is known; otherwise (through an alias, or a provider
    // that answered with another message) the map finds it.
    std::optional<std::uint64_t> get(const Id &id, std::optional<std::size_t> asked)
    {
        std::shared_ptr<messaging::Message> m;
        try {
            m = lookup_->getMessage(id);
        } catch (const NotFound &) {
            return std::nullopt;
        }
        std::vector<std::uint64_t> recipients;
        for (const auto &r : m->getRecipientIds()) // not *m->...: the temporary would die first
            recipients.push_back(numberOf(r));
        const Id &found = m->getId();
        const std::size_t at = asked && found == ids_[*asked] ? *asked : indexOf_.at(found);
        return digest(w1Ids_[at], m->getSentTime().toMicroseconds(), numberOf(m->getSenderId()), recipients,
                      m->getSubjectLine().getText(), m->getText().getText());
    }

    std::shared_ptr<messaging::MessagingManager> manager_;
    std::unique_ptr<messaging::batch::MessageBatchAdminSession> session_;
    std::unique_ptr<messaging::MessageLookupSession> lookup_;
    std::vector<Id> senders_, recipients_;
    std::vector<Id> ids_;              // the provider's Id by message index
    std::vector<std::uint64_t> w1Ids_; // W1's id by message index
    std::unordered_map<Id, std::size_t> indexOf_;
};

} // namespace

std::unique_ptr<Backend> makeOsidBackend(const std::string &implementation)
{
    return std::make_unique<OsidBackend>(implementation);
}

} // namespace w1
