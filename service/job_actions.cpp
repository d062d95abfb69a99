#include "service/job_actions.h"

#include "messaging/batch/messaging_batch_manager.h"
#include "messaging/records/delivery_record.h"
#include "osid/errors.h"
#include "osid/vector_list.h"
#include "service/osid_json.h"

#include <fmt/format.h>

#include <deque>
#include <map>
#include <utility>

namespace osid::service::jobs {

using messaging::batch::MessageBatchForm;
using messaging::batch::MessageBatchFormList;
using nlohmann::json;

namespace {

struct Sessions {
    messaging::batch::MessageBatchAdminSession &admin;
    messaging::MessageLookupSession &lookup;
};

// What a parameter holds; each kind has its own checks.
enum class Kind { Id, IdArray, Time, Type, NewMessages, MessageUpdates, AliasRequests };

struct Param {
    const char *name;
    Kind kind;
};

struct Action {
    const char *ns;
    const char *name;
    std::vector<Param> params;
    json (*run)(Sessions &, const json &params);
};

// --- checks -----------------------------------------------------------------

using Problems = std::vector<JobProblem>;

void formatProblem(Problems &out, std::string reason) { out.push_back({std::move(reason), false}); }
void emptyProblem(Problems &out, std::string reason) { out.push_back({std::move(reason), true}); }

// A text value (Id, Type or time) at `path`: empty text is a missing value.
template <typename Parse>
void checkText(const json &value, const std::string &path, Parse parse, Problems &out)
{
    if (value.is_string() && value.get_ref<const std::string &>().empty())
        return emptyProblem(out, fmt::format("{}: empty", path));
    try {
        parse(value, path);
    } catch (const JsonShapeError &e) {
        formatProblem(out, e.what());
    }
}

void checkId(const json &value, const std::string &path, Problems &out) { checkText(value, path, idFromJson, out); }

// `value` must be a non-empty array; `element` checks each item.
template <typename Element>
void checkArray(const json &value, const std::string &path, const char *what, Problems &out, Element element)
{
    if (!value.is_array())
        return formatProblem(out, fmt::format("{}: expected an array of {}, got {}", path, what, value.type_name()));
    if (value.empty())
        return emptyProblem(out, fmt::format("{}: empty array", path));
    for (std::size_t i = 0; i < value.size(); ++i)
        element(value[i], fmt::format("{}[{}]", path, i));
}

// An object whose `required` fields hold Ids; other fields are left to
// `rest`, which sees the object without them.
template <typename Rest>
void checkIdFields(const json &item, const std::string &path, std::initializer_list<const char *> required,
                   Problems &out, Rest rest)
{
    if (!item.is_object())
        return formatProblem(out, fmt::format("{}: expected an object, got {}", path, item.type_name()));
    json others = item;
    for (const char *field : required) {
        const auto where = fmt::format("{}.{}", path, field);
        if (!item.contains(field))
            emptyProblem(out, fmt::format("{}: missing", where));
        else
            checkId(item[field], where, out);
        others.erase(field);
    }
    rest(others);
}

void checkParam(Kind kind, const json &value, const std::string &path, Problems &out)
{
    switch (kind) {
    case Kind::Id: return checkId(value, path, out);
    case Kind::Time: return checkText(value, path, dateTimeFromJson, out);
    case Kind::Type:
        return checkText(
            value, path, [](const json &v, const std::string &p) { typeFromJson(v, p); }, out);
    case Kind::IdArray:
        return checkArray(value, path, "Ids", out,
                          [&](const json &item, const std::string &where) { checkId(item, where, out); });
    case Kind::NewMessages:
        return checkArray(value, path, "messages", out, [&](const json &item, const std::string &where) {
            for (auto &problem : messageJsonProblems(item, where))
                formatProblem(out, std::move(problem));
        });
    case Kind::MessageUpdates:
        return checkArray(value, path, "message updates", out, [&](const json &item, const std::string &where) {
            checkIdFields(item, where, {"messageId"}, out, [&](const json &fields) {
                for (auto &problem : messageJsonProblems(fields, where))
                    formatProblem(out, std::move(problem));
            });
        });
    case Kind::AliasRequests:
        return checkArray(value, path, "alias requests", out, [&](const json &item, const std::string &where) {
            checkIdFields(item, where, {"messageId", "aliasId"}, out, [&](const json &others) {
                for (const auto &field : others.items())
                    formatProblem(out, fmt::format("{}.{}: unknown field (an alias request has messageId and "
                                                   "aliasId)",
                                                   where, field.key()));
            });
        });
    }
}

// --- responses ----------------------------------------------------------------

json errorJson(ErrorCode code, const std::string &message)
{
    return {{"type", std::string(errorName(code))}, {"message", message}};
}

// Adds "success" and, for a failed item, "error" to `out`.
template <typename Response>
void addOutcome(json &out, const Response &response)
{
    out["success"] = response.isSuccessful();
    if (!response.isSuccessful())
        out["error"] = errorJson(response.getErrorCode(), response.getErrorMessage().getText());
}

void addFailure(json &out, ErrorCode code, const std::string &message)
{
    out["success"] = false;
    out["error"] = errorJson(code, message);
}

// Fills `form` from `message`; a refusal becomes the item's failure.
bool fillOrFail(MessageBatchForm &form, const json &message, const std::string &path, json &response)
{
    try {
        fillMessageForm(form, message, path);
        return true;
    } catch (const JsonShapeError &e) {
        addFailure(response, ErrorCode::InvalidArgument, e.what());
    } catch (const OsidException &e) {
        addFailure(response, e.code(), fmt::format("{}: {}", path, e.message()));
    }
    return false;
}

json messagesJson(std::unique_ptr<messaging::MessageList> list)
{
    json out = json::array();
    for (const auto &message : list)
        out.push_back(messageToJson(*message));
    return {{"messages", std::move(out)}};
}

template <typename List>
json deletedJson(std::unique_ptr<List> list)
{
    json responses = json::array();
    std::size_t deleted = 0;
    for (const auto &r : list) {
        json item = {{"deletedId", r.getDeletedId().toString()}};
        addOutcome(item, r);
        deleted += r.isSuccessful() ? 1 : 0;
        responses.push_back(std::move(item));
    }
    return {{"deleted", deleted}, {"responses", std::move(responses)}};
}

// --- actions --------------------------------------------------------------------

// Responses come back in no defined order; each is put back at the index
// of its form, so the job's responses follow its request.
json createMessages(Sessions &s, const json &params)
{
    const auto &messages = params.at("messages");
    std::vector<json> responses(messages.size());
    std::vector<std::size_t> plain, delivered;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        responses[i] = {{"index", i}};
        (messageRecordTypes(messages[i], "messages").empty() ? plain : delivered).push_back(i);
    }
    std::vector<std::shared_ptr<MessageBatchForm>> submitted;
    std::map<Id, std::size_t> indexOfForm;
    const auto fill = [&](const std::vector<std::size_t> &indexes, const std::vector<Type> &recordTypes) {
        if (indexes.empty())
            return;
        auto forms = s.admin.getMessageFormsForCreate(indexes.size(), recordTypes);
        for (const std::size_t index : indexes) {
            auto form = forms->getNextMessageBatchForm();
            responses[index]["formId"] = form->getId().toString();
            if (fillOrFail(*form, messages[index], fmt::format("messages[{}]", index), responses[index])) {
                indexOfForm.emplace(form->getId(), index);
                submitted.push_back(std::move(form));
            }
        }
    };
    fill(plain, {});
    fill(delivered, {messaging::records::deliveryRecordType()});
    if (!submitted.empty()) {
        VectorList<MessageBatchFormList> list(std::move(submitted));
        for (const auto &r : s.admin.createMessages(list)) {
            auto &item = responses.at(indexOfForm.at(r.getFormId()));
            addOutcome(item, r);
            if (r.isSuccessful())
                item["createdId"] = r.getCreatedId().toString();
        }
    }
    return {{"responses", std::move(responses)}};
}

// One update form per message, asked for one at a time: a batch request
// for forms fails whole on one unknown Id, and here that Id fails alone.
json updateMessages(Sessions &s, const json &params)
{
    const auto &updates = params.at("messages");
    std::vector<json> responses(updates.size());
    std::vector<std::shared_ptr<MessageBatchForm>> submitted;
    std::map<Id, std::size_t> indexOfForm;
    for (std::size_t i = 0; i < updates.size(); ++i) {
        const auto &update = updates[i];
        const auto path = fmt::format("messages[{}]", i);
        responses[i] = {{"index", i}, {"messageId", update.at("messageId")}};
        std::shared_ptr<MessageBatchForm> form;
        try {
            VectorList<IdList> ids({idFromJson(update.at("messageId"), path + ".messageId")});
            form = s.admin.getMessageFormsForUpdate(ids)->getNextMessageBatchForm();
        } catch (const OsidException &e) {
            addFailure(responses[i], e.code(), e.message());
            continue;
        }
        responses[i]["formId"] = form->getId().toString();
        json fields = update;
        fields.erase("messageId");
        if (fillOrFail(*form, fields, path, responses[i])) {
            indexOfForm.emplace(form->getId(), i);
            submitted.push_back(std::move(form));
        }
    }
    if (!submitted.empty()) {
        VectorList<MessageBatchFormList> list(std::move(submitted));
        for (const auto &r : s.admin.updateMessages(list)) {
            auto &item = responses.at(indexOfForm.at(r.getFormId()));
            item["updatedId"] = r.getUpdatedId().toString();
            addOutcome(item, r);
        }
    }
    return {{"responses", std::move(responses)}};
}

// A response names its request by both Ids; equal requests take the
// indexes in order.
json aliasMessages(Sessions &s, const json &params)
{
    const auto &aliases = params.at("aliases");
    std::vector<json> responses(aliases.size());
    std::vector<transaction::batch::AliasRequest> requests;
    std::map<std::pair<Id, Id>, std::deque<std::size_t>> indexes;
    for (std::size_t i = 0; i < aliases.size(); ++i) {
        const auto path = fmt::format("aliases[{}]", i);
        auto messageId = idFromJson(aliases[i].at("messageId"), path + ".messageId");
        auto aliasId = idFromJson(aliases[i].at("aliasId"), path + ".aliasId");
        responses[i] = {{"index", i}, {"messageId", messageId.toString()}, {"aliasId", aliasId.toString()}};
        indexes[{messageId, aliasId}].push_back(i);
        requests.emplace_back(std::move(messageId), std::move(aliasId));
    }
    VectorList<transaction::batch::AliasRequestList> list(std::move(requests));
    for (const auto &r : s.admin.aliasMessages(list)) {
        auto &queue = indexes.at({r.getReferenceId(), r.getAliasId()});
        addOutcome(responses.at(queue.front()), r);
        queue.pop_front();
    }
    return {{"responses", std::move(responses)}};
}

Id idParam(const json &params, const char *name) { return idFromJson(params.at(name), name); }
DateTime timeParam(const json &params, const char *name) { return dateTimeFromJson(params.at(name), name); }

const std::vector<Action> &actions()
{
    static const std::vector<Action> table = {
        {"messaging.batch", "createMessages", {{"messages", Kind::NewMessages}}, createMessages},
        {"messaging.batch", "updateMessages", {{"messages", Kind::MessageUpdates}}, updateMessages},
        {"messaging.batch", "aliasMessages", {{"aliases", Kind::AliasRequests}}, aliasMessages},
        {"messaging.batch",
         "deleteAllMessages",
         {},
         [](Sessions &s, const json &) { return deletedJson(s.admin.deleteAllMessages()); }},
        {"messaging.batch",
         "deleteMessagesBySender",
         {{"resourceId", Kind::Id}},
         [](Sessions &s, const json &p) {
             return deletedJson(s.admin.deleteMessagesBySender(idParam(p, "resourceId")));
         }},
        {"messaging.batch",
         "deleteMessagesByDate",
         {{"from", Kind::Time}, {"to", Kind::Time}},
         [](Sessions &s, const json &p) {
             return deletedJson(s.admin.deleteMessagesByDate(timeParam(p, "from"), timeParam(p, "to")));
         }},
        {"messaging",
         "getMessage",
         {{"messageId", Kind::Id}},
         [](Sessions &s, const json &p) {
             return json{{"message", messageToJson(*s.lookup.getMessage(idParam(p, "messageId")))}};
         }},
        {"messaging",
         "getMessagesByIds",
         {{"messageIds", Kind::IdArray}},
         [](Sessions &s, const json &p) {
             VectorList<IdList> ids(idsFromJson(p.at("messageIds"), "messageIds"));
             return messagesJson(s.lookup.getMessagesByIds(ids));
         }},
        {"messaging",
         "getMessagesByGenusType",
         {{"messageGenusType", Kind::Type}},
         [](Sessions &s, const json &p) {
             return messagesJson(
                 s.lookup.getMessagesByGenusType(typeFromJson(p.at("messageGenusType"), "messageGenusType")));
         }},
        {"messaging",
         "getMessagesByRecordType",
         {{"messageRecordType", Kind::Type}},
         [](Sessions &s, const json &p) {
             return messagesJson(
                 s.lookup.getMessagesByRecordType(typeFromJson(p.at("messageRecordType"), "messageRecordType")));
         }},
        {"messaging",
         "getMessagesBySentTime",
         {{"start", Kind::Time}, {"end", Kind::Time}},
         [](Sessions &s, const json &p) {
             return messagesJson(s.lookup.getMessagesBySentTime(timeParam(p, "start"), timeParam(p, "end")));
         }},
        {"messaging",
         "getMessagesFromSender",
         {{"resourceId", Kind::Id}},
         [](Sessions &s, const json &p) {
             return messagesJson(s.lookup.getMessagesFromSender(idParam(p, "resourceId")));
         }},
        {"messaging",
         "getMessagesBySentTimeFromSender",
         {{"resourceId", Kind::Id}, {"start", Kind::Time}, {"end", Kind::Time}},
         [](Sessions &s, const json &p) {
             return messagesJson(s.lookup.getMessagesBySentTimeFromSender(idParam(p, "resourceId"),
                                                                          timeParam(p, "start"), timeParam(p, "end")));
         }},
        {"messaging",
         "getMessagesForRecipient",
         {{"resourceId", Kind::Id}},
         [](Sessions &s, const json &p) {
             return messagesJson(s.lookup.getMessagesForRecipient(idParam(p, "resourceId")));
         }},
        {"messaging",
         "getMessagesByReceivedTimeForRecipient",
         {{"resourceId", Kind::Id}, {"start", Kind::Time}, {"end", Kind::Time}},
         [](Sessions &s, const json &p) {
             return messagesJson(s.lookup.getMessagesByReceivedTimeForRecipient(
                 idParam(p, "resourceId"), timeParam(p, "start"), timeParam(p, "end")));
         }},
        {"messaging",
         "getMessagesFromSenderForRecipient",
         {{"senderResourceId", Kind::Id}, {"recipientResourceId", Kind::Id}},
         [](Sessions &s, const json &p) {
             return messagesJson(s.lookup.getMessagesFromSenderForRecipient(idParam(p, "senderResourceId"),
                                                                            idParam(p, "recipientResourceId")));
         }},
        {"messaging",
         "getMessages",
         {},
         [](Sessions &s, const json &) { return messagesJson(s.lookup.getMessages()); }},
    };
    return table;
}

const Action *findAction(const std::string &ns, const std::string &name)
{
    for (const auto &action : actions())
        if (ns == action.ns && name == action.name)
            return &action;
    return nullptr;
}

} // namespace

std::string knownActions()
{
    std::string out;
    for (const auto &action : actions())
        out += fmt::format("{}{}.{}", out.empty() ? "" : ", ", action.ns, action.name);
    return out;
}

std::vector<JobProblem> checkJob(const json &job, const std::string &path)
{
    Problems out;
    if (!job.is_object()) {
        formatProblem(
            out, fmt::format("{}: expected a job object {{namespace, action, params}}, got {}", path, job.type_name()));
        return out;
    }
    for (const auto &field : job.items())
        if (field.key() != "namespace" && field.key() != "action" && field.key() != "params")
            formatProblem(
                out, fmt::format("{}.{}: unknown field (a job has namespace, action and params)", path, field.key()));
    for (const char *field : {"namespace", "action"}) {
        if (!job.contains(field))
            formatProblem(out, fmt::format("{}.{}: missing", path, field));
        else if (!job[field].is_string())
            formatProblem(out, fmt::format("{}.{}: expected a string, got {}", path, field, job[field].type_name()));
    }
    if (!out.empty())
        return out;
    const auto &ns = job["namespace"].get_ref<const std::string &>();
    const auto &name = job["action"].get_ref<const std::string &>();
    const Action *action = findAction(ns, name);
    if (action == nullptr) {
        formatProblem(out, fmt::format("{}: unknown action {}.{} (known: {})", path, ns, name, knownActions()));
        return out;
    }
    static const json kNoParams = json::object();
    const auto found = job.find("params");
    const json &params = found == job.end() ? kNoParams : *found;
    if (!params.is_object()) {
        formatProblem(out, fmt::format("{}.params: expected an object, got {}", path, params.type_name()));
        return out;
    }
    for (const auto &field : params.items()) {
        bool known = false;
        for (const auto &param : action->params)
            known = known || field.key() == param.name;
        if (!known)
            formatProblem(out, fmt::format("{}.params.{}: unknown parameter of {}", path, field.key(), name));
    }
    for (const auto &param : action->params) {
        const auto where = fmt::format("{}.params.{}", path, param.name);
        if (!params.contains(param.name))
            emptyProblem(out, fmt::format("{}: missing", where));
        else
            checkParam(param.kind, params[param.name], where, out);
    }
    return out;
}

JobExecutor::JobExecutor(messaging::MessagingManager &manager)
    : admin_(manager.getMessagingBatchManager()->getMessageBatchAdminSession()),
      lookup_(manager.getMessageLookupSession())
{
}

JobExecutor::~JobExecutor() = default;

json JobExecutor::execute(const std::string &ns, const std::string &action, const json &params)
{
    const Action *found = findAction(ns, action);
    if (found == nullptr)
        return {{"error", errorJson(ErrorCode::Unsupported, fmt::format("unknown action {}.{}", ns, action))}};
    Sessions sessions{*admin_, *lookup_};
    try {
        return found->run(sessions, params.is_object() ? params : json::object());
    } catch (const OsidException &e) {
        return {{"error", errorJson(e.code(), e.message())}};
    } catch (const JsonShapeError &e) {
        return {{"error", errorJson(ErrorCode::InvalidArgument, e.what())}};
    } catch (const std::exception &e) {
        // A provider that broke its contract (a response for a form it was
        // not given, ...): this job fails, the run goes on.
        return {{"error", errorJson(ErrorCode::OperationFailed, e.what())}};
    }
}

} // namespace osid::service::jobs
