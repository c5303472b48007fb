namespace Platform.Payment.Reconciliation.Domain;

/// <summary>Who sent the statement, which decides the payments it can show.</summary>
public enum StatementSource
{
    /// <summary>A bank account: bank transfers, virtual accounts, cheques, card settlements.</summary>
    Bank,

    /// <summary>A wallet gateway: Alipay and WeChat Pay.</summary>
    Gateway,
}

public enum StatementStatus
{
    Imported,
    Reconciled,
}

/// <summary>A bank or gateway statement of one day, as imported, with the counts of its last reconciliation.</summary>
public sealed class Statement
{
    public Guid Id { get; init; }

    public StatementSource Source { get; init; }

    /// <summary>The day the statement covers.</summary>
    public DateOnly StatementDate { get; init; }

    public required string Name { get; init; }

    public int LineCount { get; init; }

    public StatementStatus Status { get; set; }

    public required string ImportedBy { get; init; }

    public DateTimeOffset ImportedAt { get; init; }

    public DateTimeOffset? ReconciledAt { get; set; }

    public int Matched { get; set; }

    public int StatementOnly { get; set; }

    public int PaymentOnly { get; set; }

    public int Differing { get; set; }

    public uint Version { get; set; }
}

/// <summary>One data line of a statement (line numbers count data lines from 1).</summary>
public sealed class StatementLine
{
    public Guid StatementId { get; init; }

    public int LineNumber { get; init; }

    public DateOnly BookedOn { get; init; }

    public decimal Amount { get; init; }

    public required string Reference { get; init; }

    public required string Counterparty { get; init; }
}

public enum ReconciliationOutcome
{
    Matched,
    StatementOnly,
    PaymentOnly,
    Differing,
}

/// <summary>One line of a statement's reconciliation report.</summary>
public sealed class ReconciliationItem
{
    public Guid StatementId { get; init; }

    /// <summary>The report's order: statement lines first (in line order), then payments with no line.</summary>
    public int Ordinal { get; init; }

    public ReconciliationOutcome Outcome { get; init; }

    /// <summary>0 for a payment with no statement line.</summary>
    public int LineNumber { get; init; }

    public required string Reference { get; init; }

    public string? Counterparty { get; init; }

    public decimal? StatementAmount { get; init; }

    public DateOnly? BookedOn { get; init; }

    public Guid? PaymentId { get; init; }

    public decimal? PaymentAmount { get; init; }

    public DateTimeOffset? PaymentReceivedAt { get; init; }

    /// <summary>For a differing line: amount, date, or both.</summary>
    public string? Difference { get; init; }
}
