using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace Platform.ServiceDefaults.Errors;

/// <summary>
/// Turns refusals into gRPC statuses with google.rpc details, and anything unexpected into INTERNAL
/// with a message that leaks nothing (the exception is logged with the trace id instead).
/// </summary>
public sealed class ErrorInterceptor(ILogger<ErrorInterceptor> log) : Interceptor
{
    public const string Domain = "platform";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception e, ServerCallContext context)
    {
        if (e is PlatformException refusal)
        {
            log.LogInformation("{Method} refused: {Reason}", context.Method, refusal.Reason);
            return ToStatus(refusal).ToRpcException();
        }

        if (e is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            var code = context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled;
            return new RpcException(new Grpc.Core.Status(code, "The call was cancelled or its deadline passed"));
        }

        log.LogError(e, "{Method} failed", context.Method);
        return new Google.Rpc.Status
        {
            Code = (int)Code.Internal,
            Message = "Internal error; the trace id in the logs identifies it",
            Details = { Any.Pack(new ErrorInfo { Reason = "INTERNAL", Domain = Domain }) },
        }.ToRpcException();
    }

    public static Google.Rpc.Status ToStatus(PlatformException e)
    {
        var info = new ErrorInfo { Reason = e.Reason, Domain = Domain };
        info.Metadata.Add(e.Metadata);
        var status = new Google.Rpc.Status { Message = e.Message, Details = { Any.Pack(info) } };
        switch (e)
        {
            case ValidationException v:
                status.Code = (int)Code.InvalidArgument;
                var bad = new BadRequest();
                bad.FieldViolations.AddRange(v.Violations.Select(f => new BadRequest.Types.FieldViolation { Field = f.Field, Description = f.Description }));
                status.Details.Add(Any.Pack(bad));
                break;
            case NotFoundException:
                status.Code = (int)Code.NotFound;
                break;
            case AlreadyExistsException:
                status.Code = (int)Code.AlreadyExists;
                break;
            case PreconditionFailedException p:
                status.Code = (int)Code.FailedPrecondition;
                status.Details.Add(Any.Pack(new PreconditionFailure
                {
                    Violations = { new PreconditionFailure.Types.Violation { Type = p.Reason, Subject = p.Subject, Description = p.Message } },
                }));
                break;
            case ConcurrencyConflictException:
                status.Code = (int)Code.Aborted;
                break;
            case PermissionDeniedException:
                status.Code = (int)Code.PermissionDenied;
                break;
            default:
                status.Code = (int)Code.FailedPrecondition;
                break;
        }

        return status;
    }
}
