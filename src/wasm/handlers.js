// Calls one event handler so that nothing it does can fail the change that fired
// it: a throw or a rejected promise is logged with the event's ids only (never
// member data), and the call returns at once.
export function callHandler(handler, event) {
  const report = (error) => {
    const name = error?.name ?? typeof error;
    console.error(`universal-members: a ${event.metadata.eventType} handler failed (${name}) for event ${event.metadata._id} of member ${event.metadata.entityId}`);
  };
  try {
    const result = handler(event);
    if (result && typeof result.then === 'function') result.then(undefined, report);
  } catch (error) {
    report(error);
  }
}
