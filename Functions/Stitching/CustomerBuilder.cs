using System.Text.Json.Nodes;
using InsightsFunctions.Hipaa;

namespace InsightsFunctions.Stitching;

/// <summary>
/// Customers columns (datasets.md): the <c>customers</c> object's fields, with task-attribute fallbacks by
/// direction (from/caller, *_city, *_state, *_zip, *_country inbound; to/called … outbound; seed 000).
/// HIPAA accounts keep only allow-listed <c>customers.*</c> fields (and the allow-listed country
/// attributes), whatever reached this far.
/// </summary>
public static class CustomerBuilder
{
    public static readonly string[] Fields =
    [
        "name", "email", "phone", "city", "state", "country", "zip", "category", "market_segment", "organization", "gender",
        "year_of_birth", "acquisition_date", "acquisition_cost", "business_value", "customer_manager", "customer_link", "type", "region",
        "customer_attribute_1", "customer_attribute_2", "customer_attribute_3", "customer_label_1", "customer_label_2", "customer_label_3",
    ];

    public static Customer Build(TaskTimeline first, string conversationId, string? direction, bool hipaa, DateTimeOffset startedAt)
    {
        var outbound = direction == "outbound";
        var customers = first.Attributes["customers"] as JsonObject;
        var given = new List<KeyValuePair<string, string>>(8);
        foreach (var field in Fields)
        {
            if (hipaa && !HipaaAllowList.Default.Customers.Contains(field))
            {
                continue;
            }
            var value = TaskTimeline.Text(customers?[field]) ?? (hipaa && field != "country" ? null : Fallback(first, field, outbound));
            if (value is not null)
            {
                given.Add(new(field, AttributeFilter.Cut(value)));
            }
        }
        var columns = SortedColumns.From(given);
        var key = hipaa ? conversationId : CustomerPhone.Normalize(columns.GetValueOrDefault("phone")) ?? conversationId;
        return new Customer
        {
            CustomerKey = key,
            AccountSid = first.AccountSid,
            Hipaa = hipaa,
            Columns = columns,
            SourceStartedAt = startedAt,
            SourceConversationId = conversationId,
        };
    }

    /// <summary>The task-attribute fallback of a customer column, by direction.</summary>
    private static string? Fallback(TaskTimeline task, string field, bool outbound) => field switch
    {
        "phone" => outbound ? Pick(task, "to", "called") : Pick(task, "from", "caller"),
        "city" => outbound ? Pick(task, "to_city", "called_city") : Pick(task, "from_city", "caller_city"),
        "state" => outbound ? Pick(task, "to_state", "called_state") : Pick(task, "from_state", "caller_state"),
        "zip" => outbound ? Pick(task, "to_zip", "called_zip") : Pick(task, "from_zip", "caller_zip"),
        "country" => outbound ? Pick(task, "to_country", "called_country") : Pick(task, "from_country", "caller_country"),
        _ => null,
    };

    private static string? Pick(TaskTimeline task, string key, string otherKey) => task.Attribute(key) ?? task.Attribute(otherKey);
}
