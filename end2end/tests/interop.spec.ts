import { test, expect, type APIRequestContext } from '@playwright/test';
import Pusher from 'pusher-js';
import { PASSWORD, uniqueEmail, uniqueTitle, uuidv7 } from './support';

// pusher-js from npm, unchanged, in Node: it logs in, authorises its channel through
// /broadcasting/auth, subscribes to a private team channel and receives TodoCompleted after
// a command.

async function call<T>(request: APIRequestContext, fn: string, form: Record<string, string>): Promise<T> {
  const response = await request.post(`/api/${fn}`, {
    form,
    headers: { accept: 'application/json' },
  });
  expect(response.status(), `${fn}: ${await response.text()}`).toBe(200);
  return (await response.json()) as T;
}

test('pusher-js subscribes to a private team channel and receives TodoCompleted', async ({
  request,
  baseURL,
}) => {
  await call(request, 'sign_up', {
    email: uniqueEmail('pusher'),
    display_name: 'Pusher JS',
    password: PASSWORD,
  });
  const { team_id: team } = await call<{ team_id: string }>(request, 'create_team', {
    name: uniqueTitle('Interop'),
    command_id: uuidv7(),
  });
  const { todo_id: todo } = await call<{ todo_id: string }>(request, 'create_todo', {
    team_id: team,
    title: 'Ship it',
    description: '',
    command_id: uuidv7(),
  });

  const url = new URL(baseURL!);
  const pusher = new Pusher('tidings', {
    cluster: 'local',
    wsHost: url.hostname,
    wsPort: Number(url.port),
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    channelAuthorization: {
      endpoint: '/broadcasting/auth',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }, callback) => {
        request
          .post('/broadcasting/auth', { form: { socket_id: socketId, channel_name: channelName } })
          .then(async (response) => {
            if (response.status() !== 200) {
              callback(new Error(`auth answered ${response.status()}`), null);
            } else {
              callback(null, await response.json());
            }
          })
          .catch((error) => callback(error, null));
      },
    },
  });
  try {
    const channel = pusher.subscribe(`private-team.${team}.todos`);
    await new Promise<void>((resolve, reject) => {
      channel.bind('pusher:subscription_succeeded', () => resolve());
      channel.bind('pusher:subscription_error', (error: unknown) =>
        reject(new Error(`subscription refused: ${JSON.stringify(error)}`)),
      );
    });
    const completed = new Promise<{ position: number; commandId: string; todo: Record<string, unknown> }>(
      (resolve) => channel.bind('TodoCompleted', resolve),
    );
    await call(request, 'transition_todo', {
      todo_id: todo,
      expected_version: '1',
      action: 'activate',
      command_id: uuidv7(),
    });
    const commandId = uuidv7();
    const receipt = await call<{ position: number }>(request, 'transition_todo', {
      todo_id: todo,
      expected_version: '2',
      action: 'complete',
      command_id: commandId,
    });
    const event = await completed;
    expect(event.position).toBe(receipt.position);
    expect(event.commandId).toBe(commandId);
    expect(event.todo).toMatchObject({ id: todo, teamId: team, status: 'completed', version: 3 });
    expect(event.todo).not.toHaveProperty('notes');
  } finally {
    pusher.disconnect();
  }
});
