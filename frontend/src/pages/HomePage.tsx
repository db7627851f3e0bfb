import { ApiResources } from '../components/ApiResources';
import { StatusPanel } from '../components/StatusPanel';
import { Welcome } from '../components/Welcome';
import { useSession } from '../session/SessionContext';

export function HomePage() {
  const { state } = useSession();
  return (
    <div className="page-grid">
      {state.status === 'signed-out' ? <Welcome /> : null}
      <StatusPanel />
      <ApiResources />
    </div>
  );
}
