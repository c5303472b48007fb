namespace Platform.ServiceDefaults.Auth;

/// <summary>The staff roles of the domain file, plus the identities systems use.</summary>
public static class Roles
{
    public const string SalesRep = "sales_rep";
    public const string SalesManager = "sales_manager";
    public const string FinanceClerk = "finance_clerk";
    public const string FinanceApprover = "finance_approver";
    public const string SupportAgent = "support_agent";
    public const string SupportSupervisor = "support_supervisor";
    public const string Administrator = "administrator";

    /// <summary>May read PII unmasked.</summary>
    public const string PiiReader = "pii_reader";

    /// <summary>Another platform service calling with its own identity.</summary>
    public const string Service = "service";

    /// <summary>Every staff role and the service identity: who may read customer and billing records.</summary>
    public const string Readers = $"{SalesRep},{SalesManager},{SupportAgent},{SupportSupervisor},{FinanceClerk},{FinanceApprover},{Administrator},{Service}";

    public static readonly IReadOnlyList<string> All =
    [
        SalesRep, SalesManager, FinanceClerk, FinanceApprover, SupportAgent, SupportSupervisor, Administrator, PiiReader, Service,
    ];
}
