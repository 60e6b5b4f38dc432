using InsightsFunctions.Stitching;
using static InsightsFunctions.Datasets.Column<InsightsFunctions.Stitching.Customer>;

namespace InsightsFunctions.Datasets;

/// <summary>
/// Customers (datasets.md): one row per customer, the columns of its latest conversation; Table <c>Customers</c>, PK
/// <c>c{bucket by account_sid and customer_key}</c>, RK <c>{account_sid}_{customer_key}</c>. The customer's fields (every column but the
/// key, account and <c>updated_at</c>) are the ones <see cref="CustomerBuilder.Fields"/> fills, all text.
/// </summary>
public static class CustomersDataset
{
    public const string Table = "Customers";
    public const string ExportName = "customers";

    public static readonly DatasetDefinition<Customer> Definition = new(
        table: Table, exportName: ExportName, DatasetPeriod.Snapshot, snapshotPrefix: 'c',
        bucketColumn: "customer_key", keyColumns: ["account_sid", "customer_key"],
        columns:
        [
            Text("customer_key", c => c.CustomerKey),
            Text("account_sid", c => c.AccountSid),
            Attribute("name"),
            Attribute("email"),
            Attribute("phone"),
            Attribute("city"),
            Attribute("state"),
            Attribute("country"),
            Attribute("zip"),
            Attribute("category"),
            Attribute("market_segment"),
            Attribute("organization"),
            Attribute("gender"),
            Attribute("year_of_birth"),
            Attribute("acquisition_date"),
            Attribute("acquisition_cost"),
            Attribute("business_value"),
            Attribute("customer_manager"),
            Attribute("customer_link"),
            Attribute("type"),
            Attribute("region"),
            Attribute("customer_attribute_1"),
            Attribute("customer_attribute_2"),
            Attribute("customer_attribute_3"),
            Attribute("customer_label_1"),
            Attribute("customer_label_2"),
            Attribute("customer_label_3"),
            UpdatedAt(),
            Bookkeeping("_source_started_at", ColumnType.Timestamp, c => c.SourceStartedAt.ToUniversalTime()),
            Bookkeeping("_source_conversation", ColumnType.Text, c => c.SourceConversationId),
        ],
        read: r => new Customer
        {
            CustomerKey = r.Text("customer_key") ?? "",
            AccountSid = r.Text("account_sid") ?? "",
            Hipaa = false, // not stored: the row carries only what the account may keep
            Columns = SortedColumns.From([.. AttributeNames.Select(n => (Name: n, Value: r.Text(n))).Where(c => c.Value is not null).Select(c => KeyValuePair.Create(c.Name, c.Value!))]),
            SourceStartedAt = r.Instant("_source_started_at") ?? DateTimeOffset.MinValue,
            SourceConversationId = r.Text("_source_conversation") ?? "",
        });

    /// <summary>The customer's own fields: every data column but the key and the account.</summary>
    public static IReadOnlyList<string> AttributeNames =>
        [.. Definition.Columns.Where(c => c.Role == ColumnRole.Data && c.Name is not ("customer_key" or "account_sid")).Select(c => c.Name)];

    private static DatasetColumn<Customer> Attribute(string name) => Text(name, c => c.Columns.GetValueOrDefault(name));
}
