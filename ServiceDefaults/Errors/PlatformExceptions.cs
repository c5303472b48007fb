namespace Platform.ServiceDefaults.Errors;

/// <summary>A refusal the caller can act on. The interceptor turns each kind into a gRPC status with google.rpc details.</summary>
public abstract class PlatformException(string reason, string message) : Exception(message)
{
    /// <summary>Stable, UPPER_SNAKE reason for ErrorInfo; callers switch on it.</summary>
    public string Reason { get; } = reason;

    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>();
}

public sealed record FieldViolation(string Field, string Description);

/// <summary>INVALID_ARGUMENT with a BadRequest listing each offending field.</summary>
public sealed class ValidationException(IReadOnlyList<FieldViolation> violations, string reason = "INVALID_ARGUMENT")
    : PlatformException(reason, "Invalid request: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")))
{
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;

    public static ValidationException For(string field, string description, string reason = "INVALID_ARGUMENT") =>
        new([new FieldViolation(field, description)], reason);
}

/// <summary>NOT_FOUND.</summary>
public sealed class NotFoundException(string resource, string id)
    : PlatformException(resource.ToUpperInvariant().Replace(' ', '_') + "_NOT_FOUND", $"{resource} {id} was not found");

/// <summary>ALREADY_EXISTS; metadata names the existing resource.</summary>
public sealed class AlreadyExistsException(string reason, string message) : PlatformException(reason, message);

/// <summary>FAILED_PRECONDITION with a PreconditionFailure (type, subject, description).</summary>
public sealed class PreconditionFailedException(string reason, string subject, string description)
    : PlatformException(reason, description)
{
    public string Subject { get; } = subject;
}

/// <summary>ABORTED: a concurrent change won (stale etag, lost race); read again and retry.</summary>
public sealed class ConcurrencyConflictException(string message) : PlatformException("CONCURRENT_MODIFICATION", message);

/// <summary>PERMISSION_DENIED for a rule about who may act (beyond roles), for example maker-checker.</summary>
public sealed class PermissionDeniedException(string reason, string message) : PlatformException(reason, message);
